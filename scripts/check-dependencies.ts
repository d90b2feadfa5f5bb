/**
 * `npm run lint:deps` (part of `npm run check`): fails when a workspace imports a package it does not
 * declare (scripts/house/dependencies.ts says the rules).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { undeclaredImports, type Manifest, type SourceFile } from './house/dependencies.js';

const root = join(import.meta.dirname, '..');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest & {
  workspaces: string[];
};
const SKIP = new Set(['node_modules', 'dist', 'data', 'fixtures-out']);

function sourcesUnder(dir: string, base: string, into: SourceFile[]): SourceFile[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry) || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourcesUnder(path, base, into);
    else if (/\.(ts|tsx|mts)$/.test(entry) && !entry.endsWith('.d.ts')) {
      into.push({ path: relative(base, path).split('\\').join('/'), text: readFileSync(path, 'utf8') });
    }
  }
  return into;
}

const folders = rootManifest.workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => join(pattern.slice(0, -2), name))
    : [pattern],
);
const problems = folders.flatMap((folder) => {
  const dir = join(root, folder);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return [];
  }
  return undeclaredImports(manifest, sourcesUnder(dir, dir, []), rootManifest).map((p) => ({
    ...p,
    file: join(folder, p.file),
  }));
});
for (const p of problems) {
  const what = p.reason === 'dev-only' ? 'declares it as a devDependency only' : 'does not declare it';
  console.error(`${p.file}: imports ${p.pkg}, but ${p.workspace} ${what}`);
}
if (problems.length > 0) {
  console.error(
    `\n${problems.length} undeclared import(s). Add them with npm install <pkg>@<version> -w <workspace> --save-exact.`,
  );
  process.exit(1);
}
console.log(`dependencies: every import of ${folders.length} workspaces is declared`);
