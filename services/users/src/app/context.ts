import type { SessionRevocations } from '@marquee/core';
import type { Database } from '@marquee/platform';
import type { UsersTables } from '../store/tables.js';
import type { SigningKeys } from '../tokens/signing-keys.js';
import type { ReauthProofs } from './account-confirmation.js';
import type { Billing } from './billing.js';
import type { PasswordHasher } from './password-hashing.js';

/** What the use cases work with; assembled once in buildUsers. */
export interface UsersAppContext {
  db: Database<UsersTables>;
  hasher: PasswordHasher;
  keys: SigningKeys;
  clock: () => Date;
  /** Who decides plans (billing.ts): the operator by default, or a payment provider. */
  billing: Billing;
  /** Ended sessions, shared with the gateway through the cache: their access tokens stop at once. */
  revocations: SessionRevocations;
  /** AUTH_REQUIRE_ADMIN_2FA: an admin without two-step sign-in gets viewer tokens until they enrol. */
  requireAdminTwoFactor?: boolean;
  /** Fresh sign-ins at the OpenID provider that confirm a grave change (account-confirmation.ts). */
  reauthProofs?: ReauthProofs;
}
