import type { Executor } from './executor.js';

export async function findOidcAccount(
  db: Executor,
  issuer: string,
  subject: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('oidc_identities')
    .select('account_id')
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row?.account_id;
}

export async function linkOidcIdentity(
  db: Executor,
  row: { issuer: string; subject: string; account_id: string; created_at: string },
): Promise<void> {
  await db.insertInto('oidc_identities').values(row).execute();
}
