import type { Maturity, Plan } from '@marquee/contracts';
import type { Role } from '@marquee/core';

/**
 * The users service's own tables. Instants are ISO-8601 UTC text (see instantColumn in the platform:
 * it sorts in time order on both dialects); booleans are 0/1 integers for the same reason.
 */
export interface UsersTables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  profiles: ProfilesTable;
  my_list: MyListTable;
  ratings: RatingsTable;
  viewing_history: ViewingHistoryTable;
  processed_events: ProcessedEventsTable;
  signing_keys: SigningKeysTable;
  bootstrap: BootstrapTable;
  plan_changes: PlanChangesTable;
  email_links: EmailLinksTable;
  verified_emails: VerifiedEmailsTable;
  session_confinements: SessionConfinementsTable;
  two_factor: TwoFactorTable;
  recovery_codes: RecoveryCodesTable;
  oidc_identities: OidcIdentitiesTable;
}

/** An account's TOTP secret: pending while `enabled_at` is null (enrolment not confirmed yet). */
export interface TwoFactorTable {
  account_id: string;
  /** Base32 secret, AES-256-GCM sealed like the signing keys (tokens/sealed-keys.ts). */
  secret_sealed: string;
  created_at: string;
  enabled_at: string | null;
  /** The newest time step whose code was accepted: a code works once (RFC 6238 §5.2). */
  last_step: number;
}

/** Single-use recovery codes; only an HMAC of each is kept (app/totp.ts). */
export interface RecoveryCodesTable {
  account_id: string;
  code_hash: string;
  used_at: string | null;
}

/** Single-use links sent by mail (verify the address, reset the password); only their hash is kept. */
export interface EmailLinksTable {
  token_hash: string;
  account_id: string;
  purpose: 'verify_email' | 'reset_password';
  /** The address the link was sent to: a verification counts only while the account still has it. */
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** The address an account proved it receives mail at, and when. */
export interface VerifiedEmailsTable {
  account_id: string;
  email: string;
  verified_at: string;
}

export interface AccountsTable {
  account_id: string;
  /** Normalised (see normaliseEmail in @marquee/contracts); unique. */
  email: string;
  password_hash: string;
  role: Role;
  plan: Plan;
  created_at: string;
  updated_at: string;
  /** Set while an operator has disabled the account (see app/account-admin.ts); null otherwise. */
  disabled_at: string | null;
}

/** One login = one session = one refresh-token family. */
export interface SessionsTable {
  session_id: string;
  account_id: string;
  created_at: string;
  last_used_at: string;
  /** Absolute end of the session, however often it is refreshed. */
  expires_at: string;
  user_agent: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  /** SHA-256 of the opaque token, base64url: the token itself is never stored. */
  token_hash: string;
  session_id: string;
  issued_at: string;
  expires_at: string;
  /** Set when the token was exchanged; presenting it again is reuse. */
  used_at: string | null;
}

export interface ProfilesTable {
  profile_id: string;
  account_id: string;
  name: string;
  kids: number;
  max_maturity: Maturity;
  created_at: string;
  /** The profile lock's PIN, argon2 (app/profile-locks.ts); null when the profile is not locked. */
  pin_hash: string | null;
  /** When the PIN was set; part of every profile key, so a new PIN retires the old keys. */
  pin_set_at: string | null;
}

/** A device that entered a kids profile with a PIN: it acts as that profile until the PIN is typed. */
export interface SessionConfinementsTable {
  session_id: string;
  profile_id: string;
  confined_at: string;
}

export interface MyListTable {
  profile_id: string;
  title_id: string;
  added_at: string;
}

export interface RatingsTable {
  profile_id: string;
  title_id: string;
  rating: 'up' | 'down';
  rated_at: string;
}

export interface ViewingHistoryTable {
  profile_id: string;
  title_id: string;
  /** Resume position in seconds. */
  position: number;
  duration: number | null;
  completed: number;
  started_at: string;
  /** Time of the newest playback event applied: older events never move the position back. */
  event_time: string;
}

export interface ProcessedEventsTable {
  event_id: string;
  processed_at: string;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** The private JWK, AES-256-GCM encrypted under a key derived from the service secret. */
  private_jwk_sealed: string;
  created_at: string;
}

/** One-time start-up steps already done (e.g. the first admin), shared by every instance. */
export interface BootstrapTable {
  step: string;
  done_at: string;
}

/** A plan an account asked for that billing has not granted yet (one per account, the newest wins). */
export interface PlanChangesTable {
  account_id: string;
  requested_plan: Plan;
  /** What billing said happens next (waiting for approval, a checkout to pay). */
  detail: string;
  requested_at: string;
}

/** An account's identity at the OpenID provider (single sign-on, app/oidc.ts). */
export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  account_id: string;
  created_at: string;
}
