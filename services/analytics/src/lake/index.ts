/** The lake's parts, for bench/analytics (which measures them without the HTTP service around). */
export { Duck } from './duck.js';
export { LakeStore } from './lake-store.js';
export { LakeQueries, type QoeFilter } from './queries.js';
export { lakeRow, LAKE_TABLES, type LakeTable } from './tables.js';
export { LakeWriter } from '../jobs/lake-writer.js';
