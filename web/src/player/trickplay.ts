/** One thumbnail of a trickplay sprite sheet: time span and where it sits in which image. */
export interface TrickplayCue {
  start: number;
  end: number;
  image: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

function seconds(stamp: string): number {
  const parts = stamp.trim().split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** Parses a WebVTT thumbnail index (`sprite.jpg#xywh=x,y,w,h` cues); image URLs resolve against `base`. */
export function parseTrickplayVtt(text: string, base: string): TrickplayCue[] {
  const cues: TrickplayCue[] = [];
  const blocks = text.replace(/\r/g, '').split(/\n\n+/);
  for (const block of blocks) {
    const lines = block.split('\n').filter(Boolean);
    const timing = lines.findIndex((l) => l.includes('-->'));
    if (timing < 0) continue;
    const [from, to] = lines[timing]!.split('-->');
    const target = lines[timing + 1];
    if (!from || !to || !target) continue;
    const m = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target.trim());
    if (!m) continue;
    cues.push({
      start: seconds(from),
      end: seconds(to.split(' ')[1] ?? to),
      image: new URL(m[1]!, base).href,
      x: Number(m[2]),
      y: Number(m[3]),
      w: Number(m[4]),
      h: Number(m[5]),
    });
  }
  return cues;
}

export function cueAt(cues: readonly TrickplayCue[], time: number): TrickplayCue | undefined {
  return cues.find((c) => time >= c.start && time < c.end) ?? cues[cues.length - 1];
}
