import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was then */

/**
 * The users service's migrations, portable across SQLite and PostgreSQL: text ids and instants,
 * 0/1 integers for booleans, `double precision` for seconds (REAL affinity on SQLite).
 * Names sort in order of application; never edit a published migration, add one.
 */
export const usersMigrations: Record<string, Migration> = {
  users_0001_accounts_and_sessions: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('accounts')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('user_agent', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_reason', 'text')
        .execute();
      await db.schema.createIndex('sessions_by_account').on('sessions').column('account_id').execute();
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) =>
          c.notNull().references('sessions.session_id').onDelete('cascade'),
        )
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_by_session')
        .on('refresh_tokens')
        .column('session_id')
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('bootstrap')
        .addColumn('step', 'text', (c) => c.primaryKey())
        .addColumn('done_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  users_0002_profiles_and_library: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('profiles')
        .addColumn('profile_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kids', 'integer', (c) => c.notNull())
        .addColumn('max_maturity', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('profiles_by_account').on('profiles').column('account_id').execute();
      const perProfile = (table: string) =>
        db.schema
          .createTable(table)
          .addColumn('profile_id', 'text', (c) =>
            c.notNull().references('profiles.profile_id').onDelete('cascade'),
          )
          .addColumn('title_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['profile_id', 'title_id']);
      await perProfile('my_list')
        .addColumn('added_at', 'text', (c) => c.notNull())
        .execute();
      await perProfile('ratings')
        .addColumn('rating', 'text', (c) => c.notNull())
        .addColumn('rated_at', 'text', (c) => c.notNull())
        .execute();
      await perProfile('viewing_history')
        .addColumn('position', 'double precision', (c) => c.notNull())
        .addColumn('duration', 'double precision')
        .addColumn('completed', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('event_time', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('viewing_history_recent')
        .on('viewing_history')
        .columns(['profile_id', 'event_time'])
        .execute();
      await db.schema
        .createTable('processed_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  users_0003_plan_changes: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('plan_changes')
        .addColumn('account_id', 'text', (c) =>
          c.primaryKey().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('requested_plan', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  users_0004_disabled_accounts: {
    async up(db: Kysely<any>) {
      // Set while an operator has disabled the account: it cannot sign in, its sessions are ended.
      await db.schema.alterTable('accounts').addColumn('disabled_at', 'text').execute();
    },
  },
  users_0005_email_links: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('email_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('email_links_by_account')
        .on('email_links')
        .columns(['account_id', 'purpose'])
        .execute();
      await db.schema
        .createTable('verified_emails')
        .addColumn('account_id', 'text', (c) =>
          c.primaryKey().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  users_0006_two_factor: {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('two_factor')
        .addColumn('account_id', 'text', (c) =>
          c.primaryKey().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('enabled_at', 'text')
        .addColumn('last_step', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('recovery_codes')
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addPrimaryKeyConstraint('recovery_codes_pk', ['account_id', 'code_hash'])
        .execute();
    },
  },
  users_0007_profile_locks: {
    async up(db: Kysely<any>) {
      // A profile's PIN (argon2, like passwords) and when it was set: a new PIN retires old profile keys.
      await db.schema.alterTable('profiles').addColumn('pin_hash', 'text').execute();
      await db.schema.alterTable('profiles').addColumn('pin_set_at', 'text').execute();
      // A device (session) that entered a kids profile with a PIN stays in it until the PIN is typed.
      await db.schema
        .createTable('session_confinements')
        .addColumn('session_id', 'text', (c) =>
          c.primaryKey().references('sessions.session_id').onDelete('cascade'),
        )
        .addColumn('profile_id', 'text', (c) =>
          c.notNull().references('profiles.profile_id').onDelete('cascade'),
        )
        .addColumn('confined_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  users_0008_oidc_identities: {
    async up(db: Kysely<any>) {
      // Who an account is at the OpenID provider: (issuer, subject) never changes, an email may.
      await db.schema
        .createTable('oidc_identities')
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) =>
          c.notNull().references('accounts.account_id').onDelete('cascade'),
        )
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('oidc_identities_pk', ['issuer', 'subject'])
        .execute();
    },
  },
};
