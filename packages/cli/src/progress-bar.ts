/** A one-line terminal progress bar; on a non-TTY it prints a line every 10% instead of redrawing. */
export class ProgressBar {
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(fraction: number, detail = ''): void {
    const f = Math.max(0, Math.min(1, fraction));
    const pct = `${(f * 100).toFixed(1).padStart(5)}%`;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(f * width);
      this.out.write(
        `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${detail}\x1b[K`,
      );
    } else {
      const decile = Math.floor(f * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.out.write(`${this.label} ${pct} ${detail}\n`);
      }
    }
  }

  done(message: string): void {
    if (this.out.isTTY) this.out.write('\n');
    this.out.write(`${this.label} ${message}\n`);
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
