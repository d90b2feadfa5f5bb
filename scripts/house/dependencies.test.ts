import { describe, expect, it } from 'vitest';
import { importsOf, packageOf, undeclaredImports, type Manifest } from './dependencies.js';

describe('importsOf', () => {
  it('finds static, multi-line, type-only, re-exported, bare, dynamic and augmenting imports', () => {
    const text = [
      "import { a,\n  b } from 'alpha';",
      "import type { T } from '@scope/beta/sub';",
      "export { c } from 'gamma';",
      "import 'delta';",
      "const m = await import('epsilon');",
      "declare module 'zeta' {}",
      '/** @example import { x } from "in-a-comment"; */',
      "// import { y } from 'also-a-comment';",
    ].join('\n');
    expect(importsOf(text).map((u) => [u.specifier, u.typeOnly, u.dynamic])).toEqual([
      ['alpha', false, false],
      ['@scope/beta/sub', true, false],
      ['gamma', false, false],
      ['delta', false, false],
      ['epsilon', false, true],
      ['zeta', true, false],
    ]);
  });

  it('names the package of a bare specifier, nothing for paths and built-ins', () => {
    expect(packageOf('@scope/beta/sub')).toBe('@scope/beta');
    expect(packageOf('hls.js')).toBe('hls.js');
    expect(packageOf('kysely/helpers/postgres')).toBe('kysely');
    for (const none of ['./x.js', '../y/z.js', 'node:fs', 'fs', 'fs/promises'])
      expect(packageOf(none), none).toBeUndefined();
  });
});

describe('undeclaredImports', () => {
  const manifest: Manifest = {
    name: '@marquee/demo',
    dependencies: { fastify: '5.12.8' },
    devDependencies: { pino: '9.14.0', wabt: '1.0.39' },
  };
  const root = { devDependencies: { vitest: '4.1.12' } };
  const check = (path: string, text: string) =>
    undeclaredImports(manifest, [{ path, text }], root).map((p) => `${p.pkg}:${p.reason}`);

  it('refuses a package the workspace does not declare', () => {
    expect(check('src/app.ts', "import { Kysely } from 'kysely';\nimport Fastify from 'fastify';")).toEqual([
      'kysely:undeclared',
    ]);
  });

  it('refuses a devDependency loaded at run time by production code', () => {
    expect(check('src/log.ts', "import { pino } from 'pino';")).toEqual(['pino:dev-only']);
  });

  it('allows devDependencies in tests and for types or lazy tool imports, the toolchain in tests only', () => {
    expect(check('test/log.test.ts', "import { pino } from 'pino';\nimport { it } from 'vitest';")).toEqual(
      [],
    );
    expect(check('src/testing/fake.ts', "import { pino } from 'pino';")).toEqual([]);
    expect(check('src/log.ts', "import type { Logger } from 'pino';")).toEqual([]);
    expect(check('src/build.ts', "const wabt = await import('wabt');")).toEqual([]);
    expect(check('src/app.ts', "import { it } from 'vitest';")).toEqual(['vitest:undeclared']);
  });

  it('lets a workspace import itself and Node built-ins', () => {
    expect(
      check('src/a.ts', "import { x } from '@marquee/demo';\nimport { readFile } from 'node:fs/promises';"),
    ).toEqual([]);
  });
});
