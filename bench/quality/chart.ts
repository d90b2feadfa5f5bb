import { upperHull, type RatePoint } from './rate-quality.js';

export interface ChartSeries {
  label: string;
  colour: string;
  points: (RatePoint & { name: string })[];
  /** Drawn dashed with small dots: a reference line (a bound), not a ladder. */
  dashed?: boolean;
}

const W = 720;
const H = 440;
const M = { left: 64, right: 180, top: 36, bottom: 48 };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A rate–quality chart as SVG text: bit rate on a log axis, quality up; every rung a dot, each series'
 * convex hull a line through its hull points. Pure, so the bench writes it and a test can read it.
 */
export function rateQualitySvg(title: string, yLabel: string, series: readonly ChartSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const rates = all.map((p) => p.kbps);
  const qs = all.map((p) => p.quality);
  const x0 = Math.log10(Math.min(...rates) * 0.8);
  const x1 = Math.log10(Math.max(...rates) * 1.25);
  const qMin = Math.min(...qs);
  const qMax = Math.max(...qs);
  const pad = (qMax - qMin || 1) * 0.08;
  const y0 = qMin - pad;
  const y1 = qMax + pad;
  const px = (kbps: number) => M.left + ((Math.log10(kbps) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (q: number) => H - M.bottom - ((q - y0) / (y1 - y0)) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  // Axes with ticks: rates at 1-2-5 steps, qualities at five even steps.
  const plotBottom = H - M.bottom;
  out.push(
    `<line x1="${M.left}" y1="${plotBottom}" x2="${W - M.right}" y2="${plotBottom}" stroke="#444"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${plotBottom}" stroke="#444"/>`,
  );
  for (let decade = Math.floor(x0); decade <= Math.ceil(x1); decade += 1) {
    for (const m of [1, 2, 5]) {
      const kbps = m * 10 ** decade;
      const lx = Math.log10(kbps);
      if (lx < x0 || lx > x1) continue;
      const x = px(kbps).toFixed(1);
      out.push(
        `<line x1="${x}" y1="${M.top}" x2="${x}" y2="${plotBottom}" stroke="#eee"/>`,
        `<text x="${x}" y="${plotBottom + 16}" text-anchor="middle">${kbps >= 1000 ? `${kbps / 1000}M` : `${kbps}k`}</text>`,
      );
    }
  }
  for (let i = 0; i <= 4; i += 1) {
    const q = y0 + ((y1 - y0) * i) / 4;
    const y = py(q).toFixed(1);
    out.push(
      `<line x1="${M.left}" y1="${y}" x2="${W - M.right}" y2="${y}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${q.toFixed(q < 2 ? 3 : 1)}</text>`,
    );
  }
  out.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">video bit rate (kbit/s, log scale)</text>`,
    `<text x="16" y="${(M.top + plotBottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(M.top + plotBottom) / 2})">${escape(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const hull = upperHull(s.points);
    out.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${hull.map((p) => `${px(p.kbps).toFixed(1)},${py(p.quality).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const p of s.points) {
      out.push(
        `<circle cx="${px(p.kbps).toFixed(1)}" cy="${py(p.quality).toFixed(1)}" r="${s.dashed ? 2.5 : 4}" fill="${s.colour}"><title>${escape(`${s.label} ${p.name}: ${Math.round(p.kbps)} kbit/s, ${p.quality.toFixed(4)}`)}</title></circle>`,
      );
    }
    const ly = M.top + 10 + i * 20;
    out.push(
      `<line x1="${W - M.right + 16}" y1="${ly}" x2="${W - M.right + 36}" y2="${ly}" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<circle cx="${W - M.right + 26}" cy="${ly}" r="4" fill="${s.colour}"/>`,
      `<text x="${W - M.right + 42}" y="${ly}" dominant-baseline="middle">${escape(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
