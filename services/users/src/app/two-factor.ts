import { createHash, randomBytes } from 'node:crypto';
import type { DomainError } from '@marquee/core';
import type { Cache } from '@marquee/platform';
import type { TokenPair } from '@marquee/contracts';
import QRCode from 'qrcode';
import { findAccount } from '../store/accounts-store.js';
import {
  acceptStep,
  countRecoveryCodesLeft,
  deleteTwoFactor,
  enableTwoFactor,
  findTwoFactor,
  hasTwoFactor,
  replaceRecoveryCodes,
  savePendingSecret,
  useRecoveryCode,
} from '../store/two-factor-store.js';
import type { KeySealer } from '../tokens/sealed-keys.js';
import { AccountDisabledError } from './account-admin.js';
import type { UsersAppContext } from './context.js';
import {
  InvalidCredentialsError,
  MfaChallengeInvalidError,
  MfaCodeInvalidError,
  MfaRateLimitedError,
  TwoFactorAlreadyEnabledError,
  TwoFactorCodeInvalidError,
  TwoFactorNotEnabledError,
  TwoFactorNotPendingError,
} from './problems.js';
import { openSession, tokenPair } from './sessions.js';
import {
  newRecoveryCodes,
  newTotpSecret,
  normaliseCode,
  recoveryCodeHasher,
  totpStep,
  totpUri,
} from './totp.js';

/** The password step's answer when the account has a second factor: the client sends a code next. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}

export interface TwoFactorStatus {
  enabled: boolean;
  /** An enrolment was started and waits for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
  /** The operator requires it of this account (AUTH_REQUIRE_ADMIN_2FA and the admin role). */
  required: boolean;
}

export interface Enrolment {
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as a QR code, an SVG `data:` URL an <img> shows as it is. */
  qrCode: string;
}

/** Five minutes to type a code; five tries per password step. */
const CHALLENGE_TTL_MS = 5 * 60_000;
const TRIES_PER_CHALLENGE = 5;
/** Wrong codes per account before it waits: 10 per 15 minutes (~1 in 33,000 to guess one window). */
const FAILURE_WINDOW_MS = 15 * 60_000;
const FAILURES_ALLOWED = 10;

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * TOTP two-step sign-in (RFC 6238): enrolment (start, then confirm with a first code, which yields ten
 * single-use recovery codes), disabling (password and a code), and the login's second step. Secrets
 * are sealed at rest; challenges and failure counters live in the cache port, shared by every users
 * instance (Redis in microservices mode).
 */
export class TwoFactor {
  private readonly hashRecoveryCode: (code: string) => string;

  constructor(
    private readonly ctx: UsersAppContext,
    private readonly deps: { cache: Cache; sealer: KeySealer; secret: string; issuer: string },
  ) {
    this.hashRecoveryCode = recoveryCodeHasher(deps.secret);
  }

  async status(accountId: string): Promise<TwoFactorStatus> {
    const [row, left, account] = await Promise.all([
      findTwoFactor(this.ctx.db.write, accountId),
      countRecoveryCodesLeft(this.ctx.db.write, accountId),
      findAccount(this.ctx.db.write, accountId),
    ]);
    return {
      enabled: row?.enabled_at != null,
      pending: row !== undefined && row.enabled_at === null,
      recoveryCodesLeft: left,
      required: Boolean(this.ctx.requireAdminTwoFactor) && account?.role === 'admin',
    };
  }

  /** A new secret for the account to scan; nothing changes at sign-in until it is confirmed. */
  async startEnrolment(accountId: string, password: string): Promise<Enrolment> {
    const account = await this.requirePassword(accountId, password);
    const existing = await findTwoFactor(this.ctx.db.write, accountId);
    if (existing?.enabled_at) throw new TwoFactorAlreadyEnabledError();
    const secret = newTotpSecret();
    await savePendingSecret(this.ctx.db.write, {
      account_id: accountId,
      secret_sealed: this.deps.sealer.seal(secret),
      created_at: this.ctx.clock().toISOString(),
    });
    const otpauthUrl = totpUri(secret, this.deps.issuer, account.email);
    const svg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return {
      secret,
      otpauthUrl,
      qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    };
  }

  /** The first code proves the app holds the secret: two-step sign-in is on, and here are the recovery codes. */
  async confirmEnrolment(accountId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    const row = await findTwoFactor(this.ctx.db.write, accountId);
    if (!row || row.enabled_at) throw new TwoFactorNotPendingError();
    await this.limited(
      accountId,
      () => this.checkTotp(accountId, row.secret_sealed, code),
      new TwoFactorCodeInvalidError(
        'That code is not right; check the app’s clock and type the current code',
      ),
    );
    const recoveryCodes = newRecoveryCodes();
    await this.ctx.db.transaction(async (trx) => {
      await enableTwoFactor(trx, accountId, this.ctx.clock().toISOString());
      await replaceRecoveryCodes(trx, accountId, recoveryCodes.map(this.hashRecoveryCode));
    });
    return { recoveryCodes };
  }

  /** Turning it off takes the password and a code (or a recovery code): a stolen token alone cannot. */
  async disable(accountId: string, password: string, code: string): Promise<void> {
    await this.requirePassword(accountId, password);
    const row = await findTwoFactor(this.ctx.db.write, accountId);
    if (!row?.enabled_at) throw new TwoFactorNotEnabledError();
    await this.limited(
      accountId,
      () => this.checkCode(accountId, row.secret_sealed, code),
      new TwoFactorCodeInvalidError('That code is not right'),
    );
    await deleteTwoFactor(this.ctx.db.write, accountId);
  }

  /** Ten new recovery codes (the old ones stop working), for a code from the app. */
  async renewRecoveryCodes(accountId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    const row = await findTwoFactor(this.ctx.db.write, accountId);
    if (!row?.enabled_at) throw new TwoFactorNotEnabledError();
    await this.limited(
      accountId,
      () => this.checkTotp(accountId, row.secret_sealed, code),
      new TwoFactorCodeInvalidError('That code is not right'),
    );
    const recoveryCodes = newRecoveryCodes();
    await replaceRecoveryCodes(this.ctx.db.write, accountId, recoveryCodes.map(this.hashRecoveryCode));
    return { recoveryCodes };
  }

  /** For login, once the password is right: a challenge when two-step sign-in is on, else undefined. */
  async challengeIfEnabled(
    accountId: string,
    userAgent: string | undefined,
  ): Promise<MfaChallenge | undefined> {
    return (await hasTwoFactor(this.ctx.db.write, accountId))
      ? this.challenge(accountId, userAgent)
      : undefined;
  }

  /** After a right password: the token the client presents with its code. */
  async challenge(accountId: string, userAgent: string | undefined): Promise<MfaChallenge> {
    const mfaToken = randomBytes(32).toString('base64url');
    await this.deps.cache.set(
      `users:2fa:challenge:${sha256(mfaToken)}`,
      { accountId, userAgent: userAgent ?? null },
      CHALLENGE_TTL_MS,
    );
    return { mfaRequired: true, mfaToken, expiresIn: CHALLENGE_TTL_MS / 1000 };
  }

  /** The login's second step: a right code (or an unused recovery code) opens the session. */
  async completeLogin(mfaToken: string, code: string): Promise<TokenPair> {
    const key = `users:2fa:challenge:${sha256(mfaToken)}`;
    const found = await this.deps.cache.get<{ accountId: string; userAgent: string | null }>(key);
    const expired = new MfaChallengeInvalidError();
    if (!found) throw expired;
    const tries = await this.deps.cache.increment(`users:2fa:tries:${sha256(mfaToken)}`, CHALLENGE_TTL_MS);
    if (tries > TRIES_PER_CHALLENGE) {
      await this.deps.cache.delete(key);
      throw expired;
    }
    const { accountId } = found;
    const row = await findTwoFactor(this.ctx.db.write, accountId);
    const account = await findAccount(this.ctx.db.write, accountId);
    if (!row?.enabled_at || !account) throw expired;
    if (account.disabled_at !== null) throw new AccountDisabledError();
    await this.limited(
      accountId,
      () => this.checkCode(accountId, row.secret_sealed, code),
      new MfaCodeInvalidError(),
    );
    await this.deps.cache.delete(key);
    const grant = await this.ctx.db.transaction((trx) =>
      openSession(
        this.ctx,
        trx,
        { accountId, role: account.role, plan: account.plan },
        found.userAgent ?? undefined,
      ),
    );
    return tokenPair(this.ctx, grant);
  }

  private async requirePassword(accountId: string, password: string) {
    const account = await findAccount(this.ctx.db.write, accountId);
    if (!account || !(await this.ctx.hasher.verify(account.password_hash, password)))
      throw new InvalidCredentialsError();
    return account;
  }

  /**
   * Counts the try before it is made (so concurrent guesses each see their own count) and gives it
   * back when the code was right: only wrong codes add up, at most FAILURES_ALLOWED per window.
   */
  private async limited(accountId: string, check: () => Promise<boolean>, wrong: DomainError): Promise<void> {
    const key = `users:2fa:failures:${accountId}`;
    const n = await this.deps.cache.increment(key, FAILURE_WINDOW_MS);
    if (n > FAILURES_ALLOWED) throw new MfaRateLimitedError(FAILURE_WINDOW_MS / 1000);
    if (!(await check())) throw wrong;
    await this.deps.cache.increment(key, FAILURE_WINDOW_MS, -1);
  }

  private async checkCode(accountId: string, sealed: string, code: string): Promise<boolean> {
    const typed = normaliseCode(code);
    if (typed.kind === 'totp') return this.checkTotp(accountId, sealed, typed.value);
    if (typed.value.length !== 10) return false;
    return useRecoveryCode(
      this.ctx.db.write,
      accountId,
      this.hashRecoveryCode(typed.value),
      this.ctx.clock().toISOString(),
    );
  }

  private async checkTotp(accountId: string, sealed: string, code: string): Promise<boolean> {
    const step = totpStep(this.deps.sealer.unseal(sealed), normaliseCode(code).value, this.ctx.clock());
    return step !== undefined && acceptStep(this.ctx.db.write, accountId, step);
  }
}
