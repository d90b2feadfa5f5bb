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
