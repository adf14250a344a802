export * from '../../src/fakes/entra.js';
