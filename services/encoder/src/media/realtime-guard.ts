import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * SVT-AV1 (libsvtav1) creates its threads with SCHED_FIFO whenever it runs as root (its thread helper
 * checks `geteuid() == 0`), so an AV1 encode in a root container takes realtime priority over every
 * other process on the host: the edge and gateway beside it are not scheduled while it runs. Seen
 * here: one 1080p AV1 probe held a core at FIFO and cut a pinned x264 encode on that core to 16 % of it.
 * Without CAP_SYS_NICE that call fails, SVT-AV1 warns ("Failed to set thread priority") and carries on
 * at normal priority, so as root every media tool runs under util-linux's `setpriv` with CAP_SYS_NICE
 * dropped from its bounding and inheritable sets. Encoding is batch work: it must never outrank playback.
 *
 * @returns the command prefix: empty when not root (nothing to drop) or when setpriv is missing
 *   (`warn` says so: AV1 encodes may then run at realtime priority).
 */
export async function detectRealtimeGuard(
  searchPath: string,
  uid: number | undefined = process.getuid?.(),
  warn?: (message: string) => void,
): Promise<string[]> {
  if (uid !== 0) return [];
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = join(dir, 'setpriv');
    try {
      await access(candidate, constants.X_OK);
      return [candidate, '--inh-caps=-sys_nice', '--bounding-set=-sys_nice', '--'];
    } catch {
      // not in this directory
    }
  }
  warn?.(
    'Running as root without util-linux setpriv: SVT-AV1 encodes may take realtime priority over ' +
      'every other process here. Install util-linux or run the encoder as a non-root user.',
  );
  return [];
}
