import type { Linter } from 'eslint';

/** The service folders under services/. */
export const SERVICES: string[];
/** The import-boundary blocks of eslint.config.js (see boundaries.js). */
export const boundaries: Linter.Config[];
