export { createHuaweiProvider, type HuaweiDeps } from './provider.js';
