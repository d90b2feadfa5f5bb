import { Pool } from 'undici';

/**
 * Replays the trace's requests in order against one cache, `inFlight` at a time (a pool of kept-alive
 * connections, each taking the next request as it finishes), reading every body.
 */
export async function replay(options: {
  base: string;
  paths: readonly string[];
  inFlight: number;
}): Promise<{ seconds: number; errors: number; bytes: number }> {
  const pool = new Pool(options.base, { connections: options.inFlight, pipelining: 1 });
  let next = 0;
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.paths.length) {
      const path = options.paths[next++]!;
      try {
        const res = await pool.request({ method: 'GET', path });
        const body = await res.body.arrayBuffer();
        if (res.statusCode === 200) bytes += body.byteLength;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { seconds, errors, bytes };
}
