export { createMattermostProvider, type MattermostDeps } from './provider.js';
