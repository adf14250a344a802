export * from '../../src/demo/fakes/entra.js';
