import type { EventOfType } from '@marquee/platform';

/**
 * The lake's tables: one folder per table under `lake/`, date-partitioned Hive style
 * (`lake/telemetry/date=2026-12-06/<part>.parquet`). Column names and types are the lake's public
 * schema (outside engines read it): add columns freely, never rename or retype one.
 */
export const LAKE_TABLES = {
  telemetry: {
    id: 'VARCHAR',
    time: 'TIMESTAMP',
    session_id: 'VARCHAR',
    account_id: 'VARCHAR',
    profile_id: 'VARCHAR',
    title_id: 'VARCHAR',
    plan: 'VARCHAR',
    edge: 'VARCHAR',
    seq: 'INTEGER',
    startup_ms: 'DOUBLE',
    watch_ms: 'DOUBLE',
    bitrate: 'BIGINT',
    position: 'DOUBLE',
    stall_count: 'INTEGER',
    stall_ms: 'DOUBLE',
    dropped_frames: 'BIGINT',
    stalls: 'STRUCT(position DOUBLE, duration_ms DOUBLE)[]',
    switches: 'STRUCT(position DOUBLE, bitrate BIGINT, height INTEGER)[]',
    errors: 'STRUCT(kind VARCHAR, fatal BOOLEAN, detail VARCHAR)[]',
  },
  playback: {
    id: 'VARCHAR',
    time: 'TIMESTAMP',
    type: 'VARCHAR',
    session_id: 'VARCHAR',
    account_id: 'VARCHAR',
    profile_id: 'VARCHAR',
    title_id: 'VARCHAR',
    position: 'DOUBLE',
    duration: 'DOUBLE',
  },
} as const;

export type LakeTable = keyof typeof LAKE_TABLES;
export type LakeRow = Record<string, unknown> & { id: string; time: string };

export const PLAYBACK_EVENT_TYPES = ['playback.started', 'playback.heartbeat', 'playback.stopped'] as const;
export const LAKE_EVENT_TYPES = [...PLAYBACK_EVENT_TYPES, 'telemetry.reported'] as const;
export type LakeEventType = (typeof LAKE_EVENT_TYPES)[number];

/** UTC day of an event: its partition. Deterministic, so a redelivered event lands in the same one. */
export function partitionDate(time: string): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Which table an event goes to and its row (the catalogue types the data: no casts). */
export function lakeRow(event: EventOfType<LakeEventType>): { table: LakeTable; row: LakeRow } {
  // Every table's rows start with the event and whose viewing it was.
  const viewing = {
    id: event.id,
    time: new Date(event.time).toISOString(),
    session_id: event.data.sessionId,
    account_id: event.data.accountId,
    profile_id: event.data.profileId,
    title_id: event.data.titleId,
  };
  if (event.type === 'telemetry.reported') {
    const d = event.data;
    return {
      table: 'telemetry',
      row: {
        ...viewing,
        plan: d.plan,
        edge: d.edge ?? null,
        seq: d.seq,
        startup_ms: d.startupMs ?? null,
        watch_ms: d.watchMs,
        bitrate: d.bitrate ?? null,
        position: d.position ?? null,
        stall_count: d.stalls.length,
        stall_ms: d.stalls.reduce((sum, s) => sum + s.durationMs, 0),
        dropped_frames: d.droppedFrames,
        stalls: d.stalls.map((s) => ({ position: s.position, duration_ms: s.durationMs })),
        switches: d.switches.map((s) => ({
          position: s.position,
          bitrate: s.bitrate,
          height: s.height ?? null,
        })),
        errors: d.errors.map((e) => ({ kind: e.kind, fatal: e.fatal, detail: e.detail ?? null })),
      },
    };
  }
  const d = event.data;
  return {
    table: 'playback',
    row: {
      ...viewing,
      type: event.type.slice('playback.'.length),
      position: d.position,
      duration: d.duration ?? null,
    },
  };
}

/** The `columns={…}` argument of DuckDB's read_json for a table. */
export function jsonColumns(table: LakeTable): string {
  return `{${Object.entries(LAKE_TABLES[table])
    .map(([name, type]) => `${name}: '${type}'`)
    .join(', ')}}`;
}
