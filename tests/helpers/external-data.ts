import { fileURLToPath } from 'node:url';

/**
 * The real public exports (see README.md in that folder), copied byte for byte into the
 * repository so that the suite runs the same on a fresh clone as next to ../shared/data.
 */
export const EXTERNAL_DIR = process.env.CASELENS_EXTERNAL_DATA ?? fileURLToPath(new URL('../fixtures/external', import.meta.url));
