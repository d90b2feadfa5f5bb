import type { Second } from './viewers.js';

/**
 * An SVG chart of one experiment: stream starts per second (a 5-second moving average, blue), failed
 * starts and request errors per second (red and orange bars), the control window shaded, and each
 * fault a labelled vertical mark. Plain SVG, so a browser or the admin console shows it as it is.
 */

export interface ChartMark {
  t: number;
  label: string;
}

const W = 900;
const H = 320;
const PAD = { left: 48, right: 16, top: 28, bottom: 36 };

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function renderChart(input: {
  title: string;
  timeline: readonly Second[];
  controlEndS: number;
  marks: readonly ChartMark[];
}): string {
  const { timeline } = input;
  const last = Math.max(1, timeline.length - 1);
  const smooth = timeline.map((_, i) => {
    const from = Math.max(0, i - 4);
    const part = timeline.slice(from, i + 1);
    return part.reduce((a, s) => a + s.starts, 0) / part.length;
  });
  const top = Math.max(1, ...smooth, ...timeline.map((s) => s.errors + s.failedStarts)) * 1.15;
  const x = (t: number) => PAD.left + (t / last) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const barW = Math.max(1, (W - PAD.left - PAD.right) / (last + 1) - 1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="16" font-size="13" font-weight="bold">${escape(input.title)}</text>`,
    `<rect x="${x(0)}" y="${PAD.top}" width="${x(input.controlEndS) - x(0)}" height="${H - PAD.top - PAD.bottom}" fill="#eef3ee"/>`,
    `<text x="${x(0) + 4}" y="${PAD.top + 12}" fill="#4a7a4a">control</text>`,
  ];
  for (let i = 0; i <= 4; i += 1) {
    const v = (top / 4) * i;
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  for (let t = 0; t <= last; t += Math.max(10, Math.ceil(last / 10 / 10) * 10)) {
    parts.push(`<text x="${x(t)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${t}s</text>`);
  }
  for (const s of timeline) {
    if (s.failedStarts > 0) {
      parts.push(
        `<rect x="${x(s.t)}" y="${y(s.failedStarts)}" width="${barW}" height="${y(0) - y(s.failedStarts)}" fill="#d62728"/>`,
      );
    }
    const other = s.errors;
    if (other > 0) {
      parts.push(
        `<rect x="${x(s.t)}" y="${y(other + s.failedStarts)}" width="${barW}" height="${y(0) - y(other)}" fill="#ff7f0e" opacity="0.7"/>`,
      );
    }
  }
  const path = smooth.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  parts.push(`<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  for (const [i, mark] of groupMarks(input.marks).entries()) {
    const mx = x(mark.t);
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555" stroke-dasharray="3,3"/>`,
      `<text x="${mx + 3}" y="${PAD.top + 24 + (i % 4) * 12}" fill="#333">${escape(mark.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${W - PAD.right}" y="${H - 6}" text-anchor="end"><tspan fill="#1f77b4">— starts/s (5 s mean)</tspan>  <tspan fill="#d62728">■ failed starts/s</tspan>  <tspan fill="#ff7f0e">■ request errors/s</tspan></text>`,
    '</svg>',
  );
  return parts.join('\n');
}

/**
 * Marks at the same second become one ("kill -9 gateway-2, users-1, …"): a kill-random round's seven
 * kills, drawn one over the other, were unreadable.
 */
export function groupMarks(marks: readonly ChartMark[]): ChartMark[] {
  const bySecond = new Map<number, string[]>();
  for (const m of marks) bySecond.set(m.t, [...(bySecond.get(m.t) ?? []), m.label]);
  return [...bySecond].map(([t, labels]) => {
    const verb = /^(\S+(?: -9)?) /.exec(labels[0]!)?.[1];
    const sameVerb = verb !== undefined && labels.every((l) => l.startsWith(`${verb} `));
    const label = sameVerb
      ? `${verb} ${labels.map((l) => l.slice(verb.length + 1)).join(', ')}`
      : labels.join('; ');
    return { t, label };
  });
}
