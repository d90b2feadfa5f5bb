import { DomainError, NotFoundError, type Logger } from '@marquee/core';
import { type ContentKeyring } from '@marquee/core/content-keys';
import { maturityAllows } from '@marquee/contracts';
import type { Database } from '@marquee/platform';
import type { UsersClient } from '../clients/users-client.js';
import { findContentKey } from '../store/content-keys-store.js';
import { findSession } from '../store/sessions-store.js';
import type { StreamingTables } from '../store/tables.js';
import { findTitle } from '../store/titles-store.js';
import { PlaybackRefusedError } from './problems.js';

export interface ContentKeyRequest {
  sessionId: string;
  assetId: string;
  /** The signed-in caller, when the request came through the gateway; an edge-forwarded one has none. */
  accountId?: string;
}

/**
 * Gives an encrypted asset's content key to a live playback session entitled to it, and to nothing
 * else. Edges forward `/t/<token>/a/<asset>/content.key` here after checking the token (signature,
 * expiry, asset, session not revoked); players that sign in may ask `GET /api/playback/:id/key`. Both
 * end in the same checks, each against the primary (a session stopped a moment ago must not get a key
 * from a lagging replica): the session exists and is the caller's, plays this asset, is not stopped or
 * expired, its title is still published, and its profile may still watch the title's rating (a profile made a kids profile after
 * the start is refused, within the users client's profile cache of 10 s). Every refusal is a 403
 * `playback.key_refused`; an asset without a key (encoded before encryption, or with it turned off)
 * is a 404 that says so. Each key given out is logged (session, account, asset, master key id).
 */
export class ContentKeyIssuer {
  constructor(
    private readonly deps: {
      db: Database<StreamingTables>;
      users: UsersClient;
      keyring: ContentKeyring;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  async issue({ sessionId, assetId, accountId }: ContentKeyRequest): Promise<Buffer> {
    const { db, users, keyring, logger } = this.deps;
    const refuse = (detail: string) => new PlaybackRefusedError('playback.key_refused', detail);
    const session = await findSession(db.write, sessionId);
    if (!session || (accountId !== undefined && session.account_id !== accountId)) {
      throw refuse('There is no playback session of yours with this id');
    }
    if (session.asset_id !== assetId) throw refuse('This playback session plays another video');
    if (session.stopped_at !== null) throw refuse('This playback session has stopped; start it again');
    if (Date.parse(session.expires_at) <= (this.deps.now?.() ?? Date.now())) {
      throw refuse('This playback session has expired; start it again');
    }
    const [wrapped, title, profile] = await Promise.all([
      findContentKey(db.write, assetId),
      findTitle(db.write, session.title_id),
      // Asked of users, never taken from forwarded facts: the profile is the session row's, not one the
      // request named (the gateway checked none), and an edge-forwarded request carries no identity.
      users.profile(session.profile_id).catch((err: unknown) => {
        if (err instanceof NotFoundError) throw refuse('The profile of this session no longer exists');
        throw err;
      }),
    ]);
    // An unpublished title is not playable: its sessions lose the key with it.
    if (!title || title.withdrawn_at !== null) throw refuse('This title is no longer available');
    if (!maturityAllows(profile.maxMaturity, title.maturity)) {
      throw refuse(`This profile may no longer watch this title`);
    }
    if (!wrapped) {
      throw new DomainError(
        'playback.not_encrypted',
        'This video is not encrypted: its segments play without a key',
      );
    }
    const key = keyring.unwrap(wrapped);
    logger.info(
      { sessionId, accountId: session.account_id, assetId, keyId: wrapped.keyId },
      'content key issued',
    );
    return key;
  }
}
