import type { TObject, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DomainError } from './errors.js';

/** Raised when configuration is invalid; `problems` names every bad key at once. */
export class ConfigError extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super('config.invalid', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses an environment-style record against a TypeBox object schema whose keys are the variable names.
 * The schema is both the validator and the type: defaults are applied, strings are converted to the
 * declared numbers/booleans, every bad key is reported in one ConfigError, and the result is frozen.
 *
 * @example
 *   const schema = Type.Object({ MARQUEE_PORT: Type.Integer({ default: 8080 }) });
 *   const config = parseConfig(schema, process.env); // Readonly<{ MARQUEE_PORT: number }>
 */
export function parseConfig<S extends TObject>(
  schema: S,
  source: Readonly<Record<string, unknown>>,
): Readonly<Static<S>> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const raw = source[key];
    if (raw !== undefined && raw !== '') picked[key] = raw;
  }
  const withDefaults = Value.Default(schema, picked);
  const converted = Value.Convert(schema, withDefaults);
  const problems = [...Value.Errors(schema, converted)].map((e) => {
    const key = e.path.replace(/^\//, '') || '(root)';
    const given = picked[key];
    return `${key}: ${e.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
  });
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return Object.freeze(converted as Static<S>);
}
