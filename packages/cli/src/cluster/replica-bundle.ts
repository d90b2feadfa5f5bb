import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * One JavaScript file for the cluster's replicas, built by the rig when it starts (about a second).
 *
 * Why: every replica started through tsx's loader paid about 4 CPU-seconds to hook, resolve and load
 * several hundred modules one by one, out of 5–6 for its whole start (measured with one streaming
 * replica at load ~20: 5.0–6.3 CPU-s through tsx, 2.6 from this bundle). A kill-random round restarts
 * seven replicas at once on two cores, and those restarts starved the survivors (the 3-minute run
 * aborted at 48 % of control SPS). Kubernetes images would do the same ahead of time.
 *
 * What it keeps: our workspace packages are bundled; every npm dependency stays an import resolved from
 * node_modules as usual. Each source file keeps its own `import.meta.url`/`dirname`/`filename` (the
 * files it reads beside itself — workers, word lists, the web app — are found where they are).
 */

export const CLI_MAIN = resolve(import.meta.dirname, '../main.ts');

/**
 * Where a bundle goes: under the repository's node_modules (.cache), because its npm imports are
 * resolved from the bundle's own place — a bundle in /tmp would find no node_modules.
 */
export function replicaBundlePath(name: string): string {
  return resolve(import.meta.dirname, '../../../../node_modules/.cache/marquee-cluster', `${name}.mjs`);
}

const fileMeta = (path: string) => ({
  'import.meta.url': JSON.stringify(pathToFileURL(path).href),
  'import.meta.dirname': JSON.stringify(dirname(path)),
  'import.meta.filename': JSON.stringify(path),
});

/** Bare imports outside @marquee/* stay imports; our own files keep their import.meta. */
const keepNodeModulesAndMeta: Plugin = {
  name: 'marquee-replica',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@marquee/') ? undefined : { path: args.path, external: true },
    );
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [expression, value] of Object.entries(fileMeta(args.path))) {
        contents = contents.split(expression).join(value);
      }
      return { contents, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Bundles `entry` (default: the CLI) to `outfile` (ESM, with a source map beside it; see
 * replicaBundlePath for where it must live); returns outfile.
 */
export async function bundleReplicaEntry(outfile: string, entry = CLI_MAIN): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [keepNodeModulesAndMeta],
  });
  return outfile;
}
