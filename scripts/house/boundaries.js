// The architecture's import boundaries as ESLint `no-restricted-imports` blocks, spread into
// eslint.config.js (and linted against fixtures by boundaries.test.ts):
// - a service never imports another service (by package name or by a relative path into its src);
//   services share through packages/contracts (facts, payload shapes) and packages/core (tokens,
//   clients). A service's TESTS may compose other services (an integration test starts users beside
//   the gateway), declared as devDependencies;
// - packages (contracts, core, platform) import no service, and layer contracts < core < platform;
//   packages/cli is the composition root: it builds every service, so it is exempt (and bench/,
//   which measures assembled services, likewise);
// - the web app imports no server code: of the workspace packages only the dependency-free parts of
//   contracts (its public API types, maturity ratings, plans), and no Node built-in;
// - production code (a workspace's src/ without its tests, test fixtures and testing/ folders) never
//   imports test helpers: neither `@marquee/platform/testing` nor a testing/ folder by relative path.
//   Tests, bench/ and the `marquee cluster` rig (packages/cli/src/cluster, a test and development rig
//   that starts its own s3rver) may.
// ESLint keeps one `no-restricted-imports` per file (a later block's options replace an earlier one's),
// so the production blocks repeat their folder's patterns with the test-helper ones added.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
export const SERVICES = readdirSync(join(root, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const SHARE =
  'share through packages/contracts (facts, payload shapes) or packages/core (tokens, clients); only packages/cli composes services';
const NOT_PLATFORM_CODE = ['@marquee/cli', '@marquee/cli/*', '@marquee/bench', '@marquee/web'];

/** `@marquee/x` and its subpaths. */
const packageNames = (names) => names.flatMap((name) => [`@marquee/${name}`, `@marquee/${name}/*`]);
/** A relative path climbing into another folder's src: `../../users/src/…`, `../../../services/users/src/…`. */
const relativeInto = (names) => `^(\\.\\./)+(services/|packages/)?(${names.join('|')})/src(/|$)`;

/** Files under src/ that only tests use: they may import test helpers. */
const TEST_CODE = [
  '**/*.test.ts',
  '**/*.test.tsx',
  '**/*.test-support.ts',
  '**/*.fixture.ts',
  '**/fixtures/**',
  '**/testing/**',
];
const TEST_HELPERS = [
  {
    group: ['@marquee/platform/testing', '@marquee/platform/testing/*'],
    message:
      'Production code never imports test helpers (@marquee/platform/testing): only tests, testing/ folders, bench/ and the marquee cluster rig do.',
  },
  {
    regex: '^(\\.\\.?/)+(.*/)?testing(/|$)',
    message: 'Production code never imports a testing/ folder: test helpers are for tests.',
  },
];

function restrict(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const serviceBlocks = SERVICES.map((service) => {
  const others = SERVICES.filter((name) => name !== service);
  return {
    name: `boundaries/services/${service}`,
    files: [`services/${service}/src/**/*.ts`],
    ignores: TEST_CODE,
    rules: restrict([
      ...TEST_HELPERS,
      {
        group: [...packageNames(others), ...NOT_PLATFORM_CODE],
        message: `A service never imports another service: ${SHARE}.`,
      },
      {
        regex: relativeInto([...others, 'cli']),
        message: `A service never reaches into another service's files: ${SHARE}.`,
      },
    ]),
  };
});

const LOWER_LAYERS = { contracts: [], core: ['contracts'], platform: ['contracts', 'core'] };
const packageBlocks = Object.entries(LOWER_LAYERS).flatMap(([pkg, below]) => {
  const above = Object.keys(LOWER_LAYERS).filter((p) => p !== pkg && !below.includes(p));
  const layers = [
    {
      group: [...packageNames(SERVICES), ...NOT_PLATFORM_CODE],
      message: `A package never imports a service (packages/cli, the composition root, is the one exception): ${SHARE}.`,
    },
    ...(above.length === 0
      ? []
      : [
          {
            group: packageNames(above),
            message: `Packages layer contracts < core < platform: ${pkg} may import only ${below.join(', ') || 'no other workspace package'}.`,
          },
        ]),
    {
      regex: relativeInto([...SERVICES, 'cli', 'core', 'platform', 'contracts'].filter((p) => p !== pkg)),
      message: 'Import another workspace by its package name, never by a relative path into it.',
    },
  ];
  return [
    { name: `boundaries/packages/${pkg}`, files: [`packages/${pkg}/**/*.ts`], rules: restrict(layers) },
    {
      name: `boundaries/packages/${pkg}/production`,
      files: [`packages/${pkg}/src/**/*.ts`],
      ignores: TEST_CODE,
      rules: restrict([...TEST_HELPERS, ...layers]),
    },
  ];
});

// The CLI composes services (no layer rule), but its commands are production code too.
const cliBlock = {
  name: 'boundaries/packages/cli/production',
  files: ['packages/cli/src/**/*.ts'],
  ignores: [...TEST_CODE, 'packages/cli/src/cluster/**'],
  rules: restrict(TEST_HELPERS),
};

const WEB_CONTRACTS = ['api', 'maturity', 'plans', 'series-play', 'viewing'];
const webBlock = {
  name: 'boundaries/web',
  files: ['web/src/**/*.{ts,tsx}'],
  rules: restrict([
    {
      regex: `^@marquee/(?!contracts/(${WEB_CONTRACTS.join('|')})$)`,
      message: `The web app imports no server code; from contracts only ${WEB_CONTRACTS.map((s) => `@marquee/contracts/${s}`).join(', ')} (no Node built-ins behind them).`,
    },
    { regex: '^node:', message: 'The web app runs in a browser: no Node built-ins.' },
    {
      regex: '^(\\.\\./)+(packages|services|bench)/',
      message: 'The web app imports no server code by relative path either.',
    },
  ]),
};

export const boundaries = [...serviceBlocks, ...packageBlocks, cliBlock, webBlock];
