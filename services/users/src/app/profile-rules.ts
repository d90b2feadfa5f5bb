import {
  ADULT_DEFAULT_MATURITY,
  KIDS_MAX_MATURITY,
  maturityRank,
  minMaturity,
  type Maturity,
} from '@marquee/contracts';

/** Profiles per account (DESIGN.md). */
export const MAX_PROFILES = 5;
export const PROFILE_NAME_MAX = 40;

export interface ProfileSettings {
  kids: boolean;
  maxMaturity: Maturity;
}

export type ProfileSettingsDecision =
  { ok: true; settings: ProfileSettings } | { ok: false; message: string };

/**
 * The kids flag and maturity ceiling a profile ends up with, for a new profile (`current` undefined)
 * or a change. Rules: kids profiles never go above PG; asking for more on a kids profile is refused,
 * while turning `kids` on without naming a ceiling lowers the current one to at most PG. A new adult
 * profile defaults to NC-17 (everything), a new kids profile to PG.
 */
export function decideProfileSettings(
  requested: { kids?: boolean; maxMaturity?: Maturity },
  current?: ProfileSettings,
): ProfileSettingsDecision {
  const kids = requested.kids ?? current?.kids ?? false;
  let maxMaturity =
    requested.maxMaturity ?? current?.maxMaturity ?? (kids ? KIDS_MAX_MATURITY : ADULT_DEFAULT_MATURITY);
  if (kids) {
    if (
      requested.maxMaturity !== undefined &&
      maturityRank(requested.maxMaturity) > maturityRank(KIDS_MAX_MATURITY)
    ) {
      return {
        ok: false,
        message: `Kids profiles allow at most ${KIDS_MAX_MATURITY}; ${requested.maxMaturity} is above it`,
      };
    }
    maxMaturity = minMaturity(maxMaturity, KIDS_MAX_MATURITY);
  }
  return { ok: true, settings: { kids, maxMaturity } };
}

/**
 * Characters that reorder or hide text: bidi embeddings, overrides, isolates and marks (U+202A–202E,
 * U+2066–2069, U+200E/200F, U+061C) make "Kids" display as something else ("Trojan Source"), and every
 * other format character (\p{Cf}) is invisible. Zero-width (non-)joiners stay allowed: emoji sequences
 * and scripts such as Persian need them.
 */
const HIDDEN_FORMAT = /(?![\u200c\u200d])\p{Cf}/u;
/** What renders as nothing: spaces, marks, joiners, variation selectors, Hangul and Braille blanks. */
const INVISIBLE = /[\p{Z}\p{Cc}\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]/gu;

/**
 * Trimmed, single-spaced; undefined when it is too long, holds control or hidden format characters,
 * or nothing visible is left (a name of zero-width or blank characters would be a profile nobody sees).
 */
export function normaliseProfileName(raw: string): string | undefined {
  const name = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (name.length === 0 || [...name].length > PROFILE_NAME_MAX || /\p{Cc}/u.test(name)) return undefined;
  if (HIDDEN_FORMAT.test(name) || name.replace(INVISIBLE, '').length === 0) return undefined;
  return name;
}

/** The first profile's name: the email's local part, cut to the name limit. */
export function defaultProfileName(localPart: string): string {
  return normaliseProfileName([...localPart].slice(0, PROFILE_NAME_MAX).join('')) ?? 'Me';
}
