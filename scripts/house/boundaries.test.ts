import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries, SERVICES } from './boundaries.js';

const root = join(import.meta.dirname, '..', '..');
// Only the boundary blocks (fast, and no type information needed for a fixture that is not on disk).
const boundaryLinter = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

/** The boundary messages for `code` as if it were the file at `path`. */
async function refusals(path: string, code: string): Promise<string[]> {
  const [result] = await boundaryLinter.lintText(code, { filePath: join(root, path) });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('refuse a service importing another service, by name, subpath, type or relative path', async () => {
    expect(
      await refusals('services/streaming/src/app/x.ts', "import { buildUsers } from '@marquee/users';\n"),
    ).toEqual([expect.stringMatching(/A service never imports another service/)]);
    expect(
      await refusals(
        'services/streaming/src/app/x.ts',
        "import type { Claims } from '@marquee/users/verifier';\n",
      ),
    ).toHaveLength(1);
    expect(
      await refusals(
        'services/gateway/src/http/x.ts',
        "import { signup } from '../../../users/src/app/accounts.js';\n",
      ),
    ).toEqual([expect.stringMatching(/never reaches into another service/)]);
    expect(
      await refusals('services/edge/src/x.ts', "export { buildCli } from '@marquee/cli';\n"),
    ).toHaveLength(1);
  });

  it('let a service import its own files, the shared packages and (in tests) other services', async () => {
    const fine = [
      "import { MATURITY_RATINGS } from '@marquee/contracts';",
      "import { createLogger } from '@marquee/core';",
      "import type { EventBus } from '@marquee/platform';",
      "import { catalogRoutes } from '../http/catalog-routes.js';",
      '',
    ].join('\n');
    expect(await refusals('services/streaming/src/app/x.ts', fine)).toEqual([]);
    const integration = "import { buildUsers } from '@marquee/users';\n";
    expect(await refusals('services/gateway/test/users-through-gateway.test.ts', integration)).toEqual([]);
    expect(await refusals('services/gateway/src/app/x.test.ts', integration)).toEqual([]);
  });

  it('refuse a package importing a service, except the CLI, the composition root', async () => {
    const importsService = "import { buildStreaming } from '@marquee/streaming';\n";
    for (const pkg of ['contracts', 'core', 'platform']) {
      expect(await refusals(`packages/${pkg}/src/x.ts`, importsService), pkg).toEqual([
        expect.stringMatching(/A package never imports a service/),
      ]);
    }
    expect(await refusals('packages/cli/src/x.ts', importsService)).toEqual([]);
  });

  it('layer the packages contracts < core < platform', async () => {
    expect(
      await refusals('packages/contracts/src/x.ts', "import { DomainError } from '@marquee/core';\n"),
    ).toHaveLength(1);
    expect(
      await refusals('packages/core/src/x.ts', "import type { Cache } from '@marquee/platform';\n"),
    ).toHaveLength(1);
    expect(
      await refusals('packages/core/src/x.ts', "import type { Plan } from '@marquee/contracts';\n"),
    ).toEqual([]);
    expect(
      await refusals('packages/platform/src/x.ts', "import { DomainError } from '@marquee/core';\n"),
    ).toEqual([]);
  });

  it('refuse server code in the web app, allowing only the browser-safe parts of contracts', async () => {
    for (const specifier of [
      '@marquee/core',
      '@marquee/contracts',
      '@marquee/contracts/events',
      'node:url',
    ]) {
      expect(
        await refusals('web/src/pages/X.tsx', `import { x } from '${specifier}';\n`),
        specifier,
      ).toHaveLength(1);
    }
    expect(
      await refusals('web/src/pages/X.tsx', "import { x } from '../../../services/users/src/index.js';\n"),
    ).toHaveLength(1);
    const fine = [
      "import type { Profile } from '@marquee/contracts/api';",
      "import { MATURITY_RATINGS } from '@marquee/contracts/maturity';",
      "import { PLAN_NAMES } from '@marquee/contracts/plans';",
      "import Hls from 'hls.js';",
      '',
    ].join('\n');
    expect(await refusals('web/src/pages/X.tsx', fine)).toEqual([]);
  });

  it('refuse test helpers in production code, allowing them in tests, testing/ folders and the cluster rig', async () => {
    const helpers = "import { openTestDatabase } from '@marquee/platform/testing';\n";
    for (const path of [
      'services/streaming/src/app/x.ts',
      'packages/platform/src/db/x.ts',
      'packages/cli/src/start.ts',
    ]) {
      expect(await refusals(path, helpers), path).toEqual([
        expect.stringMatching(/Production code never imports test helpers/),
      ]);
    }
    expect(
      await refusals('services/encoder/src/jobs/x.ts', "import { x } from '../testing/job-fixtures.js';\n"),
    ).toEqual([expect.stringMatching(/never imports a testing\/ folder/)]);
    expect(
      await refusals('packages/platform/src/db/x.ts', "import { x } from '../testing/database.js';\n"),
    ).toHaveLength(1);
    // The production blocks keep their folder's other rules (one no-restricted-imports per file).
    expect(
      await refusals('services/edge/src/x.ts', "import { buildUsers } from '@marquee/users';\n"),
    ).toHaveLength(1);
    expect(
      await refusals('packages/platform/src/x.ts', "import { buildUsers } from '@marquee/users';\n"),
    ).toHaveLength(1);
    for (const path of [
      'services/streaming/src/app/x.test.ts',
      'services/streaming/test/harness.ts',
      'services/encoder/src/testing/x.ts',
      'services/edge/src/app/x.test-support.ts',
      'packages/platform/src/testing/x.ts',
      'packages/cli/src/cluster/cluster.ts',
      'packages/cli/test/x.test.ts',
      'bench/edge/index.ts',
    ]) {
      expect(await refusals(path, helpers), path).toEqual([]);
    }
  });

  it('are part of the repository lint configuration, as errors, for every service', async () => {
    const repoLinter = new ESLint({ cwd: root });
    for (const service of SERVICES) {
      const config = (await repoLinter.calculateConfigForFile(
        join(root, `services/${service}/src/index.ts`),
      )) as {
        rules: Record<string, [number, ...unknown[]]>;
      };
      expect(config.rules['no-restricted-imports']?.[0], service).toBe(2);
    }
  });
});
