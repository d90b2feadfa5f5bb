export * from './access-tokens.js';
export type * from './api.js';
export * from './backups.js';
export { emailLocalPart, normaliseEmail } from './email.js';
export * from './events.js';
export * from './maturity.js';
export * from './plans.js';
export * from './schemas.js';
export * from './viewing.js';
