export { emailLocalPart, normaliseEmail } from './email.js';
