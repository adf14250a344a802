export * from '../../src/fakes/google.js';
