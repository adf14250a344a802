export { type HuaweiDeps, parseHuaweiError } from './client.js';
export { createHuaweiProvider, HUAWEI_DELETE_CHUNK, HUAWEI_PORTAL_NOTICE } from './provider.js';
export { type AkSkCredentials, signRequest } from './signer.js';
