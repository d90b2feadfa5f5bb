import { randomBytes } from 'node:crypto';
import { ConfigError, type Logger } from '@marquee/core';
import { findAccountByEmail, updateRole } from '../store/accounts-store.js';
import { claimBootstrapStep, isBootstrapStepDone } from '../store/bootstrap-store.js';
import { createAccount, validateNewAccount } from './accounts.js';
import type { UsersAppContext } from './context.js';
import { normaliseEmail } from '@marquee/contracts';
import { EmailTakenError } from './problems.js';

export const GENERATED_ADMIN_EMAIL = 'admin@marquee.local';
const FIRST_ADMIN_STEP = 'first_admin';

/** Creates an account with the admin role; the password must pass the same policy as everyone's. */
export async function createAdminAccount(
  ctx: Pick<UsersAppContext, 'db' | 'hasher' | 'clock'>,
  input: { email: string; password: string },
): Promise<{ accountId: string; email: string }> {
  const email = validateNewAccount(input);
  if (await findAccountByEmail(ctx.db.write, email)) throw new EmailTakenError();
  const hash = await ctx.hasher.hash(input.password);
  const accountId = await ctx.db.transaction((trx) =>
    createAccount(ctx, trx, { email, password: input.password, plan: 'premium', role: 'admin' }, hash),
  );
  return { accountId, email };
}

export interface FirstAdminSettings {
  email?: string;
  password?: string;
}

/**
 * The first admin, once per installation (the claim is shared by every instance through the
 * database): from MARQUEE_ADMIN_EMAIL / MARQUEE_ADMIN_PASSWORD, or else generated and printed ONCE
 * on stdout — never logged. A configured email that already has an account is promoted, its password
 * left alone. If creating the admin fails, the claim rolls back and the next start tries again.
 */
export async function ensureFirstAdmin(
  ctx: UsersAppContext,
  settings: FirstAdminSettings,
  print: (line: string) => void,
  logger: Logger,
): Promise<void> {
  if (await isBootstrapStepDone(ctx.db.write, FIRST_ADMIN_STEP)) return;
  const now = ctx.clock().toISOString();
  const email = settings.email ? normaliseEmail(settings.email) : GENERATED_ADMIN_EMAIL;
  if (!email) throw new ConfigError(['MARQUEE_ADMIN_EMAIL: not an email address']);
  const generated = settings.password ? undefined : randomBytes(18).toString('base64url');
  const password = settings.password ?? generated!;
  try {
    validateNewAccount({ email, password });
  } catch (err) {
    // Reported like every other bad setting, naming the key, so the operator knows what to fix.
    throw new ConfigError([`MARQUEE_ADMIN_PASSWORD: ${(err as Error).message}`]);
  }
  const hash = await ctx.hasher.hash(password);
  const created = await ctx.db.transaction(async (trx) => {
    if (!(await claimBootstrapStep(trx, FIRST_ADMIN_STEP, now))) return false;
    const existing = await findAccountByEmail(trx, email);
    if (existing) {
      await updateRole(trx, existing.account_id, 'admin', now);
      logger.info({ accountId: existing.account_id }, 'first admin: existing account promoted');
      return false;
    }
    const accountId = await createAccount(
      ctx,
      trx,
      { email, password, plan: 'premium', role: 'admin' },
      hash,
    );
    logger.info({ accountId }, 'first admin created');
    return true;
  });
  if (created && generated) {
    print(
      `Marquee admin account created: ${email} / password ${generated}\n` +
        'This password is shown only this once; set MARQUEE_ADMIN_EMAIL/MARQUEE_ADMIN_PASSWORD to choose your own.',
    );
  }
}
