import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '@marquee/core';
import { enqueue } from '@marquee/platform';
import { lockAccount } from '../store/accounts-store.js';
import { fromFlag, toFlag, type Executor } from '../store/executor.js';
import {
  countProfiles,
  deleteProfile,
  findOwnedProfile,
  findProfile,
  insertProfile,
  listProfiles,
  updateProfile,
  type ProfileRow,
} from '../store/profiles-store.js';
import type { UsersAppContext } from './context.js';
import { profileCreated } from './events.js';
import type { Maturity } from '@marquee/contracts';
import { LastProfileError, MaturityNotAllowedError, ProfileLimitError } from './problems.js';
import {
  decideProfileSettings,
  MAX_PROFILES,
  normaliseProfileName,
  type ProfileSettings,
} from './profile-rules.js';

/** The public profile shape (DESIGN.md). */
export interface ProfileView {
  profileId: string;
  name: string;
  kids: boolean;
  maxMaturity: Maturity;
  /** A PIN guards it (app/profile-locks.ts): opening it, or leaving it for a kids profile. */
  locked: boolean;
}

export interface ProfileChanges {
  name?: string;
  kids?: boolean;
  maxMaturity?: Maturity;
}

export function profileView(row: ProfileRow): ProfileView {
  return {
    profileId: row.profile_id,
    name: row.name,
    kids: fromFlag(row.kids),
    maxMaturity: row.max_maturity,
    locked: row.pin_hash !== null,
  };
}

/**
 * The caller's profile, or 404 — the same 404 whether it does not exist or belongs to someone else,
 * so profile ids of other accounts cannot even be confirmed. Every profile route goes through here.
 */
export async function ownedProfile(db: Executor, accountId: string, profileId: string): Promise<ProfileRow> {
  const row = await findOwnedProfile(db, accountId, profileId);
  if (!row) throw new NotFoundError('profile', profileId);
  return row;
}

function requireName(raw: string): string {
  const name = normaliseProfileName(raw);
  if (!name) throw new ValidationError('name must be 1 to 40 printable characters', { field: 'name' });
  return name;
}

function requireSettings(requested: ProfileChanges, current?: ProfileSettings): ProfileSettings {
  const decision = decideProfileSettings(requested, current);
  if (!decision.ok) throw new MaturityNotAllowedError(decision.message);
  return decision.settings;
}

export async function listAccountProfiles(ctx: UsersAppContext, accountId: string): Promise<ProfileView[]> {
  return (await listProfiles(ctx.db.write, accountId)).map(profileView);
}

export async function createProfile(
  ctx: UsersAppContext,
  accountId: string,
  input: { name: string } & ProfileChanges,
): Promise<ProfileView> {
  const name = requireName(input.name);
  const settings = requireSettings(input);
  return ctx.db.transaction(async (trx) => {
    // The account lock serialises concurrent creations, so two requests cannot both take the fifth slot.
    if (!(await lockAccount(trx, ctx.db.dialect, accountId))) throw new NotFoundError('account', accountId);
    if ((await countProfiles(trx, accountId)) >= MAX_PROFILES) throw new ProfileLimitError(MAX_PROFILES);
    const row: ProfileRow = {
      profile_id: randomUUID(),
      account_id: accountId,
      name,
      kids: toFlag(settings.kids),
      max_maturity: settings.maxMaturity,
      created_at: ctx.clock().toISOString(),
      pin_hash: null,
      pin_set_at: null,
    };
    await insertProfile(trx, row);
    await enqueue(trx, profileCreated(accountId, row.profile_id, settings.kids, settings.maxMaturity));
    return profileView(row);
  });
}

export async function changeProfile(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
  changes: ProfileChanges,
): Promise<ProfileView> {
  const row = await ownedProfile(ctx.db.write, accountId, profileId);
  const current = profileView(row);
  const settings = requireSettings(changes, current);
  const name = changes.name === undefined ? current.name : requireName(changes.name);
  await updateProfile(ctx.db.write, profileId, {
    name,
    kids: toFlag(settings.kids),
    max_maturity: settings.maxMaturity,
  });
  return { profileId, name, ...settings, locked: current.locked };
}

/** Deletes the profile with its list, ratings and history (cascade). The last profile stays. */
export async function removeProfile(
  ctx: UsersAppContext,
  accountId: string,
  profileId: string,
): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await lockAccount(trx, ctx.db.dialect, accountId);
    await ownedProfile(trx, accountId, profileId);
    if ((await countProfiles(trx, accountId)) <= 1) throw new LastProfileError();
    await deleteProfile(trx, profileId);
  });
}

/**
 * For other services: the profile with its owner, without a viewer identity. Read on the PRIMARY: the
 * gateway's ownership check and streaming's playback start ask for a profile the viewer may have
 * created a moment ago, which a lagging replica does not have yet (docs/adapters.md, read replica).
 */
export async function internalProfile(
  ctx: UsersAppContext,
  profileId: string,
): Promise<ProfileView & { accountId: string; lockedAt: string | null }> {
  const row = await findProfile(ctx.db.write, profileId);
  if (!row) throw new NotFoundError('profile', profileId);
  return { ...profileView(row), accountId: row.account_id, lockedAt: row.pin_set_at };
}
