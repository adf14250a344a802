/** Where the benchmarks live: the repository root and the bench folder. */
import { fileURLToPath } from 'node:url';

/** The repository root, as a file URL and as a path. */
export const REPO_URL = new URL('../../', import.meta.url);
export const REPO = fileURLToPath(REPO_URL);

/** The bench folder, as a file URL (benchmark scripts and RESULTS.md live there). */
export const BENCH_URL = new URL('../', import.meta.url);
