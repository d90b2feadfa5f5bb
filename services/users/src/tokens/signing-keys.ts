import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { insertSigningKey, newestSigningKeys } from '../store/signing-keys-store.js';
import type { Executor } from '../store/executor.js';
import { ACCESS_TOKEN_ALG } from '@marquee/contracts';
import type { KeySealer } from './sealed-keys.js';

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: stable, collision-free across instances. */
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  createdAt: Date;
}

export interface SigningKeysOptions {
  db: Executor;
  sealer: KeySealer;
  clock: () => Date;
  /** A new key takes over signing once the current one is this old (default 30 days). */
  rotateAfterMs?: number;
  /** How many of the newest keys are published for verification (default 3: current + 2 previous). */
  publishedKeys?: number;
  /** How long an instance trusts its loaded copy before reading the table again (default 10 min). */
  reloadAfterMs?: number;
}

/**
 * The access-token signing keys (Ed25519), shared by every users instance through the database.
 * The newest key signs; the few before it stay in the JWKS so tokens they signed keep verifying until
 * they expire (15 min), and so a gateway holding a slightly stale JWKS still knows the current key.
 * Rotation is by age at start and on reload, or explicit with rotate(). Two instances rotating at once
 * only add two keys; both verify.
 */
export class SigningKeys {
  private keys: SigningKey[] = [];
  private loadedAt = 0;
  private readonly rotateAfterMs: number;
  private readonly publishedKeys: number;
  private readonly reloadAfterMs: number;

  constructor(private readonly options: SigningKeysOptions) {
    this.rotateAfterMs = options.rotateAfterMs ?? 30 * 24 * 3600 * 1000;
    this.publishedKeys = options.publishedKeys ?? 3;
    this.reloadAfterMs = options.reloadAfterMs ?? 10 * 60 * 1000;
  }

  /** Loads the keys, creating the first one (or the next one, when the current is due) as needed. */
  async ensure(): Promise<void> {
    await this.load();
    const newest = this.keys[0];
    const now = this.options.clock().getTime();
    if (!newest || now - newest.createdAt.getTime() >= this.rotateAfterMs) await this.rotate();
  }

  /** Creates a new key that signs from now on; previous keys keep verifying. */
  async rotate(): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    // Creation times order the keys, so they must strictly increase even within one millisecond.
    const newest = this.keys[0]?.createdAt.getTime() ?? 0;
    const createdAt = new Date(Math.max(this.options.clock().getTime(), newest + 1));
    await insertSigningKey(this.options.db, {
      kid,
      alg: ACCESS_TOKEN_ALG,
      public_jwk: JSON.stringify(publicJwk),
      private_jwk_sealed: this.options.sealer.seal(JSON.stringify(await exportJWK(privateKey))),
      created_at: createdAt.toISOString(),
    });
    await this.load();
    return this.keys[0]!;
  }

  /** The key that signs new tokens. */
  async current(): Promise<SigningKey> {
    if (this.keys.length === 0 || Date.now() - this.loadedAt >= this.reloadAfterMs) await this.ensure();
    const key = this.keys[0];
    if (!key) throw new Error('no signing key: SigningKeys.ensure() has not run');
    return key;
  }

  /**
   * The public keys that verify, as a JWK Set (the body of GET /internal/jwks): the table's newest, read
   * on every call, and the ones this instance holds. A sibling replica may have created a key since this
   * one loaded (replicas started together on an empty table each create one); published from the loaded
   * copy alone, its tokens were refused by every gateway that fetched the set here, for up to
   * `reloadAfterMs`. Sets are fetched rarely (a verifier's start, an unknown kid, every few minutes).
   */
  async jwks(): Promise<JSONWebKeySet> {
    await this.current();
    const rows = await newestSigningKeys(this.options.db, this.publishedKeys);
    const published = new Map(rows.map((row) => [row.kid, JSON.parse(row.public_jwk) as JWK]));
    for (const k of this.keys) if (!published.has(k.kid)) published.set(k.kid, k.publicJwk);
    return {
      keys: [...published].map(([kid, jwk]) => ({ ...jwk, kid, alg: ACCESS_TOKEN_ALG, use: 'sig' })),
    };
  }

  private async load(): Promise<void> {
    const rows = await newestSigningKeys(this.options.db, this.publishedKeys);
    this.keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        privateKey: (await importJWK(
          JSON.parse(this.options.sealer.unseal(row.private_jwk_sealed)) as JWK,
          row.alg,
        )) as CryptoKey,
        publicJwk: JSON.parse(row.public_jwk) as JWK,
        createdAt: new Date(row.created_at),
      })),
    );
    this.loadedAt = Date.now();
  }
}
