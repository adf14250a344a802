export * from '../../src/demo/fakes/google.js';
