/**
 * The player's quality menu: Auto (naming the height it plays now) and one entry per height. A
 * per-title ladder may carry several rates of one height (720p at 4400 and 2700 kbit/s); the menu
 * shows the height once and choosing it means its best rung — the last of that height, since hls.js
 * orders its levels by rising bit rate.
 */
export function qualityOptions(
  levels: readonly { height: number }[],
  level: number,
  autoLevel: number,
): { value: number; label: string }[] {
  const heights = [...new Set(levels.map((l) => l.height))];
  const playing = levels[autoLevel];
  const auto = level === -1 && playing ? ` (${playing.height}p)` : '';
  return [{ value: -1, label: `Auto${auto}` }].concat(
    heights.map((h) => ({
      value: levels.reduce((last, l, i) => (l.height === h ? i : last), -1),
      label: `${h}p`,
    })),
  );
}
