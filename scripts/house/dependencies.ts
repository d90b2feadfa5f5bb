import { builtinModules } from 'node:module';

/**
 * The undeclared-dependency check, pure: which packages a workspace's files import without declaring
 * them. npm workspaces hoist every package to the root node_modules, so an undeclared import works
 * here and breaks in a production image (`npm ci --omit=dev`) or when the package moves; this makes it
 * a failing check instead.
 *
 * Rules: a file may import what its workspace lists in dependencies or peerDependencies. Test code
 * (`test/`, `testing/`, `*.test.ts`, `*.fixture.ts`) and configuration files may also import its
 * devDependencies and the root's (the shared toolchain: vitest, typescript). Elsewhere a devDependency
 * may be imported for types only (`import type`), which leaves nothing at run time, or lazily
 * (`await import(…)`) by a development tool that production never calls.
 */
export interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface SourceFile {
  /** Path relative to the workspace folder, with forward slashes. */
  path: string;
  text: string;
}

export interface ImportUse {
  specifier: string;
  typeOnly: boolean;
  /** `await import(…)`: loaded only when that code runs (a development tool's lazy import). */
  dynamic: boolean;
}

export interface UndeclaredImport {
  workspace: string;
  file: string;
  pkg: string;
  /** Why it is refused: not declared at all, or declared for development only. */
  reason: 'undeclared' | 'dev-only';
}

const BUILTINS = new Set(builtinModules);
const STATIC_IMPORT = /(?:^|[;\n}])\s*(import|export)(\s+type)?\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g;
const BARE_IMPORT = /(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
const AUGMENTATION = /\bdeclare\s+module\s+['"]([^'"]+)['"]/g;

/** Strips comments so an example in a doc comment is not taken for an import. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function importsOf(text: string): ImportUse[] {
  const code = withoutComments(text);
  const uses: ImportUse[] = [];
  const push = (specifier: string, typeOnly: boolean, dynamic = false) =>
    uses.push({ specifier, typeOnly, dynamic });
  for (const m of code.matchAll(STATIC_IMPORT)) push(m[3]!, Boolean(m[2]));
  for (const m of code.matchAll(BARE_IMPORT)) push(m[1]!, false);
  for (const m of code.matchAll(DYNAMIC_IMPORT)) push(m[1]!, false, true);
  for (const m of code.matchAll(AUGMENTATION)) push(m[1]!, true);
  return uses;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); undefined for paths and built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

export function isTestOrConfig(path: string): boolean {
  return (
    /(^|\/)(test|testing)\//.test(path) ||
    /\.(test|fixture)\.tsx?$/.test(path) ||
    /(^|\/)[^/]+\.config\.[cm]?ts$/.test(path)
  );
}

export function undeclaredImports(
  manifest: Manifest,
  files: readonly SourceFile[],
  root: Pick<Manifest, 'devDependencies'>,
): UndeclaredImport[] {
  const runtime = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const dev = new Set([...Object.keys(manifest.devDependencies ?? {})]);
  const toolchain = new Set(Object.keys(root.devDependencies ?? {}));
  const found = new Map<string, UndeclaredImport>();
  for (const file of files) {
    const testCode = isTestOrConfig(file.path);
    for (const use of importsOf(file.text)) {
      const pkg = packageOf(use.specifier);
      if (!pkg || runtime.has(pkg)) continue;
      if (dev.has(pkg) && (testCode || use.typeOnly || use.dynamic)) continue;
      if (testCode && toolchain.has(pkg)) continue;
      const reason = dev.has(pkg) ? 'dev-only' : 'undeclared';
      found.set(`${file.path}\0${pkg}`, { workspace: manifest.name, file: file.path, pkg, reason });
    }
  }
  return [...found.values()];
}
