import { randomUUID } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { DomainError, currentCorrelationId } from '@marquee/core';
import type { CloudEvent, NewEvent } from './port.js';

/**
 * Event types become NATS subject tokens (`<prefix>.<type>`), so they are restricted to dotted
 * lower-case words: no spaces, no wildcards, no empty tokens.
 */
export const EVENT_TYPE_PATTERN = '^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$';

/** RFC 3339 date-time, as produced by Date#toISOString and accepted from other CloudEvents producers. */
const RFC3339 = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';

/** The CloudEvents 1.0 envelope (structured JSON mode). Unknown extension attributes are allowed. */
export const CloudEventSchema = Type.Object({
  specversion: Type.Literal('1.0'),
  id: Type.String({ minLength: 1, maxLength: 128 }),
  source: Type.String({ minLength: 1, maxLength: 256 }),
  type: Type.String({ pattern: EVENT_TYPE_PATTERN, maxLength: 128 }),
  time: Type.String({ pattern: RFC3339 }),
  datacontenttype: Type.Literal('application/json'),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  correlationid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  data: Type.Unknown(),
});

const envelopeCheck = TypeCompiler.Compile(CloudEventSchema);

interface RegisteredType {
  schema: TSchema;
  fingerprint: string;
  check: TypeCheck<TSchema>;
}

/** Per-process registry of data schemas, compiled once. */
const registry = new Map<string, RegisteredType>();

/**
 * Declares the data schema of an event type. Registering the same type again with an identical
 * schema is a no-op (modules may register on import); a different schema is a programming error.
 */
export function registerEventType(type: string, dataSchema: TSchema): void {
  if (!new RegExp(EVENT_TYPE_PATTERN).test(type)) {
    throw new DomainError('event.invalid', `event type "${type}" must be dotted lower-case words`, { type });
  }
  const fingerprint = JSON.stringify(dataSchema);
  const existing = registry.get(type);
  if (existing) {
    if (existing.fingerprint === fingerprint) return;
    throw new DomainError(
      'event.type_conflict',
      `event type ${type} is already registered with another schema`,
      {
        type,
      },
    );
  }
  registry.set(type, { schema: dataSchema, fingerprint, check: TypeCompiler.Compile(dataSchema) });
}

function describe(errors: Iterable<{ path: string; message: string }>, prefix: string): string {
  const parts: string[] = [];
  for (const error of errors) {
    parts.push(`${prefix}${error.path || '/'}: ${error.message}`);
    if (parts.length === 3) break;
  }
  return parts.join('; ');
}

/**
 * Why `value` is not a valid event, or undefined when it is. Pure: used on publish (to throw) and on
 * receipt (to dead-letter) alike.
 */
export function eventProblem(value: unknown): string | undefined {
  if (!envelopeCheck.Check(value)) {
    const label = typeof value === 'object' && value !== null && 'type' in value ? String(value.type) : '?';
    return `event ${label} has an invalid envelope: ${describe(envelopeCheck.Errors(value), '')}`;
  }
  const registered = registry.get(value.type);
  if (!registered) return `event type ${value.type} has no registered data schema`;
  if (!registered.check.Check(value.data)) {
    return `event ${value.type} has invalid data: ${describe(registered.check.Errors(value.data), '/data')}`;
  }
  return undefined;
}

/** Throws DomainError 'event.invalid' with a precise message unless `value` is a valid event. */
export function validateEvent(value: unknown): asserts value is CloudEvent {
  const problem = eventProblem(value);
  if (problem) throw new DomainError('event.invalid', problem);
}

/**
 * Builds the envelope the bus publishes: fills id (uuid unless given), time, specversion and the
 * correlation id of the current async context, then validates it. A complete CloudEvent passed in
 * (the outbox relay republishing what was enqueued earlier) keeps its id, time and correlation id.
 */
export function buildEnvelope(
  event: NewEvent & Partial<Pick<CloudEvent, 'time' | 'correlationid'>>,
  now: Date = new Date(),
): CloudEvent {
  const envelope: CloudEvent = {
    specversion: '1.0',
    id: event.id ?? randomUUID(),
    source: event.source,
    type: event.type,
    time: event.time ?? now.toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
  if (event.subject !== undefined) envelope.subject = event.subject;
  const correlationId = event.correlationid ?? currentCorrelationId();
  if (correlationId !== undefined) envelope.correlationid = correlationId;
  validateEvent(envelope);
  return envelope;
}

/** The envelopes of what a publish was given, one event or several (the port's publish and enqueue take both). */
export function buildEnvelopes(events: NewEvent | readonly NewEvent[]): CloudEvent[] {
  const list: readonly NewEvent[] = Array.isArray(events) ? events : [events as NewEvent];
  return list.map((event) => buildEnvelope(event));
}

/** Parses a received body; returns the event or why it cannot be delivered. */
export function parseReceived(body: string): { event: CloudEvent } | { problem: string; raw: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { problem: `event body is not JSON: ${(err as Error).message}`, raw: body };
  }
  const problem = eventProblem(value);
  return problem ? { problem, raw: value } : { event: value as CloudEvent };
}
