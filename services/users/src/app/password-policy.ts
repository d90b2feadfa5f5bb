import { readFileSync } from 'node:fs';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEnglish from '@zxcvbn-ts/language-en';

/**
 * Password rules per OWASP ASVS 4.0 L2 §2.1 (and NIST SP 800-63B §5.1.1.2):
 * - at least 12 characters and up to 256 (ASVS asks for at least 64 and at least 128 here), counted in
 *   Unicode code points after NFKC normalisation, so any printable Unicode and spaces are allowed;
 * - no composition rules (no "one digit, one symbol"), no truncation, no periodic expiry;
 * - refuse the most common breached passwords from a bundled local list (common-passwords.txt; NOT a
 *   Have I Been Pwned lookup), matched case-insensitively, plus two context checks NIST recommends:
 *   a single short unit repeated or a straight run (`abababababab`, `abcdefghijkl`), and the account's
 *   own email or its local part padded with digits or symbols;
 * - and, beside the list, zxcvbn-ts (its dictionaries of passwords, names and words, keyboard patterns,
 *   dates, l33t and sequences), with the service's name and the email's parts as user inputs: a
 *   password it estimates below 10^10 guesses (its top score) is refused. `Summer2024!!` or
 *   `zaq12wsxcde3` pass naive rules and fall to it.
 * Every check runs on the password as typed AND trimmed: a leading space must not rescue `password1234`.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordWeakness =
  'too_short' | 'too_long' | 'common' | 'repetitive' | 'contains_email' | 'guessable';

/** zxcvbn's top score: at least 10^10 guesses, out of reach of online attacks and slow offline ones. */
export const MIN_GUESSES_LOG10 = 10;
/** zxcvbn's cost grows with length; past this a password's head decides (its tail only adds strength). */
const ESTIMATE_MAX_CHARS = 100;
const SERVICE_WORDS = ['marquee'];

export type PasswordVerdict = { ok: true } | { ok: false; reason: PasswordWeakness; message: string };

/**
 * NFKC so that visually identical passwords typed on different keyboards/IMEs hash the same.
 * Applied before checking and before hashing, at sign-up, login and password change alike.
 */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

let bundled: ReadonlySet<string> | undefined;

/** The bundled list, loaded once. Lines are lower-case; `#` starts a comment. */
export function commonPasswords(): ReadonlySet<string> {
  bundled ??= parseCommonPasswords(readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8'));
  return bundled;
}

export function parseCommonPasswords(text: string): ReadonlySet<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('#'))
      .map((l) => l.toLowerCase()),
  );
}

export function checkPassword(
  password: string,
  context: { email?: string } = {},
  common: ReadonlySet<string> = commonPasswords(),
): PasswordVerdict {
  const normalised = normalisePassword(password);
  const trimmed = normalised.trim();
  const length = [...trimmed].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return refuse(
      'too_short',
      `Use at least ${PASSWORD_MIN_LENGTH} characters; a few words or a phrase work well`,
    );
  }
  if ([...normalised].length > PASSWORD_MAX_LENGTH)
    return refuse('too_long', `Use at most ${PASSWORD_MAX_LENGTH} characters`);
  for (const candidate of new Set([normalised, trimmed])) {
    const verdict = checkCandidate(candidate, context.email, common);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

function checkCandidate(
  password: string,
  email: string | undefined,
  common: ReadonlySet<string>,
): PasswordVerdict {
  const lower = password.toLowerCase();
  if (common.has(lower))
    return refuse('common', 'This password is on a list of commonly used passwords; choose another');
  if (isRepetitive(lower))
    return refuse('repetitive', 'This password is a repeated or sequential pattern; choose another');
  if (email && resemblesEmail(lower, email.toLowerCase())) {
    return refuse('contains_email', 'This password is too close to your email address; choose another');
  }
  const estimate = strengthEstimator().check(
    [...password].slice(0, ESTIMATE_MAX_CHARS).join(''),
    userInputs(email),
  );
  if (Math.log10(estimate.guesses) < MIN_GUESSES_LOG10) {
    const why = estimate.feedback.warning ? `${estimate.feedback.warning.replace(/\.$/, '')}; ` : '';
    return refuse(
      'guessable',
      `This password would be easy to guess (${why}a few unrelated words make a strong one)`,
    );
  }
  return { ok: true };
}

let estimator: ZxcvbnFactory | undefined;

/** Built once, on first use: ranking the dictionaries takes a moment. */
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEnglish.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEnglish.translations,
  });
  return estimator;
}

/** The service's name and the email, its local part, the words in it and its domain's labels. */
export function userInputs(email: string | undefined): string[] {
  const inputs = [...SERVICE_WORDS];
  if (email) {
    const at = email.lastIndexOf('@');
    const local = email.slice(0, at);
    const domainLabels = email
      .slice(at + 1)
      .split('.')
      .slice(0, -1);
    inputs.push(email, local, ...local.split(/[^\p{L}\p{N}]+/u), ...domainLabels);
  }
  return [...new Set(inputs.map((i) => i.toLowerCase()).filter((i) => i.length >= 3))];
}

function refuse(reason: PasswordWeakness, message: string): PasswordVerdict {
  return { ok: false, reason, message };
}

/** A unit of up to 4 code points repeated end to end, or a straight ascending/descending run. */
function isRepetitive(password: string): boolean {
  const chars = [...password];
  for (let unit = 1; unit <= 4; unit++) {
    if (chars.every((c, i) => c === chars[i % unit])) return true;
  }
  const codes = chars.map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) === 1 && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step);
}

function resemblesEmail(password: string, email: string): boolean {
  const local = email.slice(0, email.lastIndexOf('@'));
  const core = password.replace(/[^\p{L}]+$/u, '').replace(/^[^\p{L}]+/u, '');
  return password.includes(email) || (local.length > 0 && (core === local || core === email));
}
