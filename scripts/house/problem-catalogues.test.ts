import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { coreProblems, type ProblemCodes } from '@marquee/core';
import { platformProblems } from '@marquee/platform';
import { SERVICES } from './boundaries.js';

// Problem types are static catalogues (core's problems.ts, platform's, each service's app/problems.ts),
// and a service's server answers core's, platform's and its own. So a code a service throws must be in
// one of those three, or it answers a bare 400 "Request refused". Codes passed as a typed variable
// (PlaybackRefusalCode, MediaRefusalCode, AccessTokenError's union) are keys of the objects the
// catalogues are made from; this checks the literals.

const root = join(import.meta.dirname, '..', '..');

/** `super('code'`, `new SomeError('code'`, `problem('code'`, `refuse(403, 'code'`, `{ code: 'code'`. */
const THROWN = [
  /\b(?:super|new (?!(?:Type|Range|NotFound|Validation)?Error\b)\w*Error)\(\s*'([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)'/g,
  /\bproblem\(\s*'([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)'/g,
  /\brefuse\(\s*\d+,\s*'([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)'/g,
  /\bcode: '([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)'/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !/\/(test|testing)\//.test(path));
}

/** Each literal code thrown under `dir`, with the first file that throws it. */
function thrownCodes(dir: string): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of THROWN) {
      for (const [, code] of text.matchAll(pattern)) {
        if (!codes.has(code!)) codes.set(code!, relative(root, file));
      }
    }
  }
  return codes;
}

/** Every `…Problems` export of a service's app/problems.ts (storage has none of its own). */
async function serviceCatalogues(): Promise<Map<string, ProblemCodes>> {
  const catalogues = new Map<string, ProblemCodes>();
  for (const service of SERVICES) {
    const file = join(root, 'services', service, 'src', 'app', 'problems.ts');
    if (!existsSync(file)) continue;
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const [catalogue, ...more] = Object.entries(module).filter(([name]) => name.endsWith('Problems'));
    expect(more, `${service}: one catalogue`).toEqual([]);
    expect(catalogue, `${service}: app/problems.ts exports its catalogue`).toBeDefined();
    catalogues.set(service, catalogue![1] as ProblemCodes);
  }
  return catalogues;
}

describe('problem catalogues', () => {
  it('define each code once, or the same way wherever two define it', async () => {
    const all = new Map<string, ProblemCodes>([
      ['core', coreProblems],
      ['platform', platformProblems],
      ...(await serviceCatalogues()),
    ]);
    const seen = new Map<string, { owner: string; entry: unknown }>();
    const differing: string[] = [];
    for (const [owner, codes] of all) {
      for (const [code, entry] of Object.entries(codes)) {
        const first = seen.get(code);
        if (first && JSON.stringify(first.entry) !== JSON.stringify(entry)) {
          differing.push(
            `${code}: ${first.owner} ${JSON.stringify(first.entry)}, ${owner} ${JSON.stringify(entry)}`,
          );
        }
        if (!first) seen.set(code, { owner, entry });
      }
    }
    expect(differing).toEqual([]);
    // Sanity: the catalogues hold the platform's codes (about 90 today).
    expect(seen.size).toBeGreaterThan(80);
  });

  it('hold every code thrown, in the catalogues the throwing server answers', async () => {
    const services = await serviceCatalogues();
    const missing: string[] = [];
    const check = (dir: string, answered: ProblemCodes[]) => {
      for (const [code, file] of thrownCodes(dir)) {
        if (!answered.some((codes) => Object.hasOwn(codes, code))) missing.push(`${code} (${file})`);
      }
    };
    check(join(root, 'packages', 'core', 'src'), [coreProblems]);
    check(join(root, 'packages', 'platform', 'src'), [coreProblems, platformProblems]);
    for (const service of SERVICES) {
      const own = services.get(service);
      check(join(root, 'services', service, 'src'), [coreProblems, platformProblems, ...(own ? [own] : [])]);
    }
    expect(missing).toEqual([]);
  });

  it('catch a code thrown that no catalogue holds', () => {
    const text = "throw new DomainError('thing.unheard_of', 'no');\nsuper('other.code', 'x');";
    const found = THROWN.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]));
    expect(found).toEqual(['thing.unheard_of', 'other.code']);
  });
});
