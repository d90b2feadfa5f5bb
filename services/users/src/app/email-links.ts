import { DomainError, type BackgroundWork, type Logger } from '@marquee/core';
import { normaliseEmail } from '@marquee/contracts';
import type { Cache } from '@marquee/platform';
import { findAccount, findAccountByEmail, updatePasswordHash } from '../store/accounts-store.js';
import {
  findUsableLink,
  insertEmailLink,
  isEmailVerified,
  markEmailVerified,
  retireLinks,
  useLink,
  type EmailLinkRow,
} from '../store/email-links-store.js';
import { revokeAccountSessions } from '../store/sessions-store.js';
import { hashRefreshToken, newRefreshToken } from '../tokens/refresh-tokens.js';
import type { Mailer } from '../mail/mailer.js';
import type { UsersAppContext } from './context.js';
import { checkPassword } from './password-policy.js';
import { PasswordTooWeakError } from './problems.js';

/** One answer for every unusable link (unknown, used, expired, superseded): it tells nothing more. */
export class LinkInvalidError extends DomainError {
  constructor() {
    super('auth.link_invalid', 'This link is not valid or has expired; ask for a new one');
  }
}

const VERIFY_TTL_MS = 24 * 3600 * 1000;
const RESET_TTL_MS = 60 * 60 * 1000;
/** Mails of one kind to one account per hour; past it requests are answered alike and send nothing. */
const MAILS_PER_HOUR = 3;

/** What the mail flows need beside the use-case context. */
export interface EmailLinksDeps {
  mailer: Mailer;
  cache: Pick<Cache, 'increment'>;
  logger: Logger;
  /** The web app's origin, where the links in the mail lead. */
  publicUrl: string;
  /** Where work after the answer runs, so that the service's stop() waits for it. */
  background: Pick<BackgroundWork, 'run'>;
}

/**
 * Verification of the address and password reset by mailed, single-use, expiring links. A link's
 * token (256 random bits) is in the mail only; the database keeps its SHA-256, so a copy of the
 * database cannot use a pending link.
 */
export class EmailLinks {
  constructor(
    private readonly ctx: UsersAppContext,
    private readonly deps: EmailLinksDeps,
  ) {}

  /** After sign-up (and on request): mails a verification link, unless the address is verified. */
  async sendVerification(accountId: string): Promise<void> {
    const account = await findAccount(this.ctx.db.write, accountId);
    if (!account || (await isEmailVerified(this.ctx.db.write, accountId, account.email))) return;
    if (!(await this.withinHourlyLimit('verify_email', accountId))) return;
    const token = await this.issue(accountId, account.email, 'verify_email', VERIFY_TTL_MS);
    await this.deps.mailer.send({
      to: account.email,
      subject: 'Confirm your email address for Marquee',
      text: [
        'Welcome to Marquee.',
        '',
        'Confirm that this is your address by opening this link (it works once, for 24 hours):',
        `${this.deps.publicUrl}/verify-email?token=${token}`,
        '',
        'If you did not create a Marquee account, ignore this mail.',
      ].join('\n'),
    });
  }

  async verify(token: string): Promise<void> {
    const now = this.ctx.clock().toISOString();
    await this.ctx.db.transaction(async (trx) => {
      const link = await findUsableLink(trx, hashRefreshToken(token), 'verify_email', now);
      const account = link && (await findAccount(trx, link.account_id));
      // A link sent to an address the account no longer has proves nothing about the new one.
      if (!link || !account || account.email !== link.email) throw new LinkInvalidError();
      if (!(await useLink(trx, link.token_hash, now))) throw new LinkInvalidError();
      await markEmailVerified(trx, link.account_id, link.email, now);
    });
  }

  /**
   * Forgot password: the same answer, and the same work on the request path, whether the address is
   * known or not; the lookup and the mail run after the answer (no enumeration by content or time).
   */
  requestReset(rawEmail: string): void {
    void this.deps.background.run('password reset mail', () => this.sendReset(rawEmail));
  }

  private async sendReset(rawEmail: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    const account = email ? await findAccountByEmail(this.ctx.db.write, email) : undefined;
    if (!account || account.disabled_at !== null) return;
    if (!(await this.withinHourlyLimit('reset_password', account.account_id))) return;
    const token = await this.issue(account.account_id, account.email, 'reset_password', RESET_TTL_MS);
    await this.deps.mailer.send({
      to: account.email,
      subject: 'Reset your Marquee password',
      text: [
        'Someone (we hope you) asked to reset the password of your Marquee account.',
        '',
        'Choose a new password here (the link works once, for one hour):',
        `${this.deps.publicUrl}/reset-password?token=${token}`,
        '',
        'If it was not you, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
  }

  /**
   * Sets a new password with a reset link. Every session ends (their refresh tokens, and their access
   * tokens through the revocation set): whoever knew the old password is out. Receiving the mail
   * proves the address too.
   */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    const now = this.ctx.clock().toISOString();
    const tokenHash = hashRefreshToken(token);
    const link = await findUsableLink(this.ctx.db.write, tokenHash, 'reset_password', now);
    const account = link && (await findAccount(this.ctx.db.write, link.account_id));
    if (!link || !account || account.email !== link.email) throw new LinkInvalidError();
    // Checked before the link is spent, so a refused password leaves the link usable.
    const verdict = checkPassword(newPassword, { email: account.email });
    if (!verdict.ok) throw new PasswordTooWeakError(verdict.reason, verdict.message);
    const hash = await this.ctx.hasher.hash(newPassword);
    const ended = await this.ctx.db.transaction(async (trx) => {
      if (!(await useLink(trx, tokenHash, now))) throw new LinkInvalidError();
      await updatePasswordHash(trx, account.account_id, hash, now);
      await markEmailVerified(trx, account.account_id, account.email, now);
      return revokeAccountSessions(trx, account.account_id, 'password_reset', now);
    });
    await this.ctx.revocations.revoke(ended);
  }

  private async issue(
    accountId: string,
    email: string,
    purpose: EmailLinkRow['purpose'],
    ttlMs: number,
  ): Promise<string> {
    const token = newRefreshToken();
    const now = this.ctx.clock();
    await this.ctx.db.transaction(async (trx) => {
      await retireLinks(trx, accountId, purpose, now.toISOString());
      await insertEmailLink(trx, {
        token_hash: hashRefreshToken(token),
        account_id: accountId,
        purpose,
        email,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + ttlMs).toISOString(),
        used_at: null,
      });
    });
    return token;
  }

  private async withinHourlyLimit(purpose: EmailLinkRow['purpose'], accountId: string): Promise<boolean> {
    const sent = await this.deps.cache.increment(`users:mail:${purpose}:${accountId}`, 3600 * 1000);
    if (sent > MAILS_PER_HOUR) this.deps.logger.info({ purpose }, 'mail not sent: hourly limit reached');
    return sent <= MAILS_PER_HOUR;
  }
}
