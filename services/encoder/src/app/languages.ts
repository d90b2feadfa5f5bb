/**
 * Containers tag tracks with ISO 639-2 codes ("eng", "fre"/"fra"); HLS wants BCP 47 ("en", "fr").
 * The common ones map to their two-letter code; other valid three-letter codes are valid BCP 47 as
 * they are. "und", empty or malformed tags mean "no language".
 */
const TWO_LETTER: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  fre: 'fr',
  deu: 'de',
  ger: 'de',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  jpn: 'ja',
  zho: 'zh',
  chi: 'zh',
  kor: 'ko',
  rus: 'ru',
  ara: 'ar',
  hin: 'hi',
  nld: 'nl',
  dut: 'nl',
  swe: 'sv',
  nor: 'no',
  nob: 'nb',
  nno: 'nn',
  dan: 'da',
  fin: 'fi',
  pol: 'pl',
  tur: 'tr',
  ces: 'cs',
  cze: 'cs',
  ell: 'el',
  gre: 'el',
  heb: 'he',
  ukr: 'uk',
  vie: 'vi',
  tha: 'th',
  ind: 'id',
  hun: 'hu',
  ron: 'ro',
  rum: 'ro',
  cat: 'ca',
  hrv: 'hr',
  srp: 'sr',
  slk: 'sk',
  slo: 'sk',
  slv: 'sl',
  bul: 'bg',
  est: 'et',
  lav: 'lv',
  lit: 'lt',
  isl: 'is',
  ice: 'is',
  msa: 'ms',
  may: 'ms',
  fas: 'fa',
  per: 'fa',
  tam: 'ta',
  tel: 'te',
  ben: 'bn',
  urd: 'ur',
  fil: 'fil',
  tgl: 'tl',
  gle: 'ga',
  cym: 'cy',
  wel: 'cy',
  eus: 'eu',
  baq: 'eu',
  glg: 'gl',
};

export function toBcp47(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  const lower = tag.trim().toLowerCase();
  if (lower === '' || lower === 'und' || lower === 'mis' || lower === 'zxx' || lower === 'mul')
    return undefined;
  if (TWO_LETTER[lower]) return TWO_LETTER[lower];
  // Already BCP 47 ("en", "pt-BR") or another ISO 639 code.
  return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(lower) ? lower : undefined;
}

/** Two-letter code → its ISO 639-2 code (the first, terminology form listed above: "fr" → "fra"). */
const THREE_LETTER: Record<string, string> = {};
for (const [three, two] of Object.entries(TWO_LETTER)) THREE_LETTER[two] ??= three;

/**
 * The ISO 639-2 code a container's track language wants, from a BCP 47 tag ("es" → "spa", "pt-BR" →
 * "por"). MP4 stores three letters only: a two-letter code written there is retagged "eng" by some
 * ffmpeg builds and dropped by others, so a Spanish track would show as English. "und" when unknown.
 */
export function toIso6392(tag: string | undefined): string {
  const primary = tag?.trim().toLowerCase().split('-')[0] ?? '';
  if (/^[a-z]{3}$/.test(primary)) return primary;
  return THREE_LETTER[primary] ?? 'und';
}

/** What a track with no language is called (numbered when there are several: "Unknown (2)"). */
export const UNKNOWN_LANGUAGE_NAME = 'Unknown';

const displayNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** A rendition NAME the player shows: the track's title, else the language in English, else a fallback. */
export function renditionName(
  language: string | undefined,
  title: string | undefined,
  fallback: string,
): string {
  const clean = title?.replace(/["\r\n]/g, '').trim();
  if (clean) return clean.slice(0, 64);
  if (language) {
    try {
      return displayNames.of(language) ?? language;
    } catch {
      return language;
    }
  }
  return fallback;
}
