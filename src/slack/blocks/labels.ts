import type { SystemId } from '../../catalog.js';

/** A system's name in sentences (its provider's label). */
export type Labels = (system: SystemId) => string;
