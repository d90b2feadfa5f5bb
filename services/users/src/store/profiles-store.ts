import type { Executor } from './executor.js';
import type { ProfilesTable } from './tables.js';

export type ProfileRow = ProfilesTable;

/** A new profile starts unlocked (a PIN is set later, app/profile-locks.ts). */
export async function insertProfile(
  db: Executor,
  row: Omit<ProfileRow, 'pin_hash' | 'pin_set_at'>,
): Promise<void> {
  await db.insertInto('profiles').values(row).execute();
}

export function listProfiles(db: Executor, accountId: string): Promise<ProfileRow[]> {
  return db
    .selectFrom('profiles')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('profile_id')
    .execute();
}

export async function countProfiles(db: Executor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('profiles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function findProfile(db: Executor, profileId: string): Promise<ProfileRow | undefined> {
  return db.selectFrom('profiles').selectAll().where('profile_id', '=', profileId).executeTakeFirst();
}

/** The profile only when it belongs to the account: ownership is part of the lookup, not a later check. */
export function findOwnedProfile(
  db: Executor,
  accountId: string,
  profileId: string,
): Promise<ProfileRow | undefined> {
  return db
    .selectFrom('profiles')
    .selectAll()
    .where('profile_id', '=', profileId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

export async function updateProfile(
  db: Executor,
  profileId: string,
  changes: Partial<Pick<ProfileRow, 'name' | 'kids' | 'max_maturity'>>,
): Promise<void> {
  await db.updateTable('profiles').set(changes).where('profile_id', '=', profileId).execute();
}

export async function deleteProfile(db: Executor, profileId: string): Promise<void> {
  await db.deleteFrom('profiles').where('profile_id', '=', profileId).execute();
}
