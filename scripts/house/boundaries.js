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
//   contracts (its public API types, maturity ratings, plans), and no Node built-in.
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

function restrict(patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const serviceBlocks = SERVICES.map((service) => {
  const others = SERVICES.filter((name) => name !== service);
  return {
    name: `boundaries/services/${service}`,
    files: [`services/${service}/src/**/*.ts`],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: restrict([
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
const packageBlocks = Object.entries(LOWER_LAYERS).map(([pkg, below]) => {
  const above = Object.keys(LOWER_LAYERS).filter((p) => p !== pkg && !below.includes(p));
  return {
    name: `boundaries/packages/${pkg}`,
    files: [`packages/${pkg}/**/*.ts`],
    rules: restrict([
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
    ]),
  };
});

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

export const boundaries = [...serviceBlocks, ...packageBlocks, webBlock];
