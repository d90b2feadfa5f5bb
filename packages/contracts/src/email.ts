import { domainToASCII } from 'node:url';

/**
 * Email normalisation, decided once so that sign-up, login and uniqueness agree:
 * - trim surrounding white space and apply Unicode NFC;
 * - lower-case the WHOLE address. RFC 5321 allows a case-sensitive local part, but no mainstream
 *   provider uses one, and treating `Bob@x` and `bob@x` as two accounts only breeds confusion and
 *   duplicate sign-ups;
 * - convert an internationalised domain to its ASCII (punycode) form, so the two spellings of one
 *   domain are one account;
 * - keep dots and `+tags`: stripping them is Gmail-specific and would merge distinct addresses elsewhere.
 * Returns undefined when the result is not a plausible address (one `@`, non-empty parts, a dotted
 * domain, no white space, at most 254 characters as RFC 5321 allows).
 */
export function normaliseEmail(raw: string): string | undefined {
  const trimmed = raw.trim().normalize('NFC');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return undefined;
  const local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (local.includes('@') || local.length > 64 || /[\s\p{Cc}]/u.test(local)) return undefined;
  if (!domain || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) return undefined;
  const email = `${local}@${domain}`;
  return email.length <= 254 ? email : undefined;
}

/** The part before `@`: the default name of the first profile. */
export function emailLocalPart(email: string): string {
  return email.slice(0, email.lastIndexOf('@'));
}
