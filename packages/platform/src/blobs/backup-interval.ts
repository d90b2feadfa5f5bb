const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * BACKUP_INTERVAL as milliseconds: `90s`, `30m`, `6h`, `1.5d`; undefined for `off` or `0` (no
 * automatic backups). The settings schema has already checked the shape.
 */
export function backupIntervalMs(raw: string): number | undefined {
  if (raw === 'off' || raw === '0') return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)(s|m|h|d)$/.exec(raw);
  if (!match) throw new RangeError(`BACKUP_INTERVAL: "${raw}" is not a duration like 90s, 30m, 6h or 1d`);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : undefined;
}
