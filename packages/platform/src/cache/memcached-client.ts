import { MemcacheClient } from 'memcache-client';

/**
 * The few memcached commands the adapter uses, in its own terms: a miss is `undefined`, a conditional
 * store that lost is `false`, and only real failures (timeouts, a dead server) throw. memcache-client
 * speaks the text protocol, which has the gets/cas pair leases need (memjs, the most used Node client,
 * speaks the binary protocol without cas and sends 32-bit increments).
 */
export interface MemcachedItems {
  get(key: string): Promise<string | undefined>;
  /** The value and its cas token, for a later cas(). */
  gets(key: string): Promise<{ value: string; cas: string } | undefined>;
  /** Stores unconditionally; false when memcached refuses the value (larger than its item size). */
  set(key: string, value: string, lifetime: number): Promise<boolean>;
  /** Stores only if the key is absent. */
  add(key: string, value: string, lifetime: number): Promise<boolean>;
  /** Stores only if nobody wrote the key since gets() returned `cas`. */
  cas(key: string, value: string, cas: string, lifetime: number): Promise<boolean>;
  /** Adds `by` (negative subtracts) to a decimal item; undefined when the item is absent. */
  add64(key: string, by: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  version(): Promise<string>;
  close(): void;
}

/** What a get/gets resolves to; memcache-client's types omit that a miss resolves to undefined. */
type Retrieved = { value: unknown; casUniq?: string | number };

/** memcached's answers that mean "not done" rather than "failed". */
const LOST = new Set(['NOT_STORED', 'EXISTS', 'NOT_FOUND']);

const lostRace = (error: unknown) => error instanceof Error && LOST.has(error.message);
const tooLarge = (error: unknown) =>
  error instanceof Error && /^SERVER_ERROR (object too large|out of memory)/.test(error.message);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

export function memcachedItems(options: {
  server: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}): MemcachedItems {
  const client = new MemcacheClient({
    server: options.server,
    connectTimeout: options.connectTimeoutMs,
    cmdTimeout: options.commandTimeoutMs,
    // Values are our own text: never let the client JSON-encode, number-flag or compress them.
    ignoreNotStored: false,
  });
  const stored = async (store: () => Promise<unknown>, refused = lostRace) => {
    try {
      await store();
      return true;
    } catch (error) {
      if (refused(error)) return false;
      throw error;
    }
  };
  return {
    async get(key) {
      const found = (await client.get<unknown>(key)) as Retrieved | undefined;
      return found === undefined ? undefined : text(found.value);
    },
    async gets(key) {
      const found = (await client.gets<unknown>(key)) as Retrieved | undefined;
      const value = found === undefined ? undefined : text(found.value);
      return value === undefined ? undefined : { value, cas: String(found?.casUniq) };
    },
    set: (key, value, lifetime) => stored(() => client.set(key, value, { lifetime }), tooLarge),
    add: (key, value, lifetime) => stored(() => client.add(key, value, { lifetime })),
    cas: (key, value, cas, lifetime) => stored(() => client.cas(key, value, { casUniq: cas, lifetime })),
    async add64(key, by) {
      try {
        return by >= 0 ? await client.incr(key, by) : await client.decr(key, -by);
      } catch (error) {
        if (lostRace(error)) return undefined;
        throw error;
      }
    },
    async delete(key) {
      try {
        await client.delete(key);
      } catch (error) {
        if (!lostRace(error)) throw error;
      }
    },
    async version() {
      const [, version] = await client.version();
      return version ?? 'unknown';
    },
    close: () => client.shutdown(),
  };
}
