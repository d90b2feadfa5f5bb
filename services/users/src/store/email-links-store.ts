import type { Executor } from './executor.js';
import type { EmailLinksTable } from './tables.js';

export type EmailLinkRow = EmailLinksTable;

export async function insertEmailLink(db: Executor, row: EmailLinkRow): Promise<void> {
  await db.insertInto('email_links').values(row).execute();
}

/** A link of this purpose that is unused and unexpired, by its token's hash. */
export function findUsableLink(
  db: Executor,
  tokenHash: string,
  purpose: EmailLinkRow['purpose'],
  now: string,
): Promise<EmailLinkRow | undefined> {
  return db
    .selectFrom('email_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Marks the link used only if nobody did before: two concurrent uses end as one. */
export async function useLink(db: Executor, tokenHash: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('email_links')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** A new link replaces the account's older ones of the same purpose: only the newest mail works. */
export async function retireLinks(
  db: Executor,
  accountId: string,
  purpose: EmailLinkRow['purpose'],
  now: string,
): Promise<void> {
  await db
    .updateTable('email_links')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

export async function markEmailVerified(
  db: Executor,
  accountId: string,
  email: string,
  now: string,
): Promise<void> {
  await db
    .insertInto('verified_emails')
    .values({ account_id: accountId, email, verified_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ email, verified_at: now }))
    .execute();
}

/** True when the account proved it receives mail at `email` (its current address). */
export async function isEmailVerified(db: Executor, accountId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('verified_emails')
    .select('email')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.email === email;
}
