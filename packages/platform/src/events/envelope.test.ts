import { describe, expect, it } from 'vitest';
import { runWithContext } from '@marquee/core';
import { registerCatalogue } from './catalogue.js';
import { buildEnvelope, eventProblem, parseReceived, registerEventType } from './envelope.js';
import { Type } from '@sinclair/typebox';

registerCatalogue();
const uploaded = {
  assetId: 'a1',
  titleId: 't1',
  key: 'sources/a1/film.mp4',
  filename: 'film.mp4',
  size: 1024,
  sha256: 'ab'.repeat(32),
};

describe('envelope', () => {
  it('fills id, time, specversion, content type and the current correlation id', () => {
    const now = new Date('2026-11-21T06:00:00.000Z');
    const event = runWithContext({ correlationId: 'req-1' }, () =>
      buildEnvelope({ type: 'media.uploaded', source: 'storage', data: uploaded, subject: 'a1' }, now),
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      source: 'storage',
      type: 'media.uploaded',
      time: '2026-11-21T06:00:00.000Z',
      datacontenttype: 'application/json',
      subject: 'a1',
      correlationid: 'req-1',
      data: uploaded,
    });
    expect(
      buildEnvelope({ type: 'media.uploaded', source: 'storage', data: uploaded }).correlationid,
    ).toBeUndefined();
  });

  it('keeps the id, time and correlation id of a complete envelope (outbox republish)', () => {
    const first = runWithContext({ correlationId: 'req-1' }, () =>
      buildEnvelope({ type: 'media.uploaded', source: 'storage', data: uploaded }),
    );
    const again = runWithContext({ correlationId: 'other' }, () => buildEnvelope(first, new Date(0)));
    expect(again).toEqual(first);
  });

  it('names the failing field of the data', () => {
    expect(eventProblem(buildEnvelopeUnchecked({ ...uploaded, size: -1 }))).toBe(
      'event media.uploaded has invalid data: /data/size: Expected integer to be greater or equal to 0',
    );
    const { sha256: _missing, ...withoutSha } = uploaded;
    expect(eventProblem(buildEnvelopeUnchecked(withoutSha))).toMatch(
      /^event media.uploaded has invalid data: \/data\/sha256: Expected required property/,
    );
  });

  it('accepts additional data properties (forward compatibility) but not missing required ones', () => {
    expect(eventProblem(buildEnvelopeUnchecked({ ...uploaded, codec: 'h264' }))).toBeUndefined();
  });

  it('checks the envelope itself: version, type shape, RFC 3339 time', () => {
    const good = buildEnvelopeUnchecked(uploaded);
    expect(eventProblem({ ...good, specversion: '0.3' })).toMatch(/invalid envelope: \/specversion/);
    expect(eventProblem({ ...good, type: 'media uploaded' })).toMatch(/invalid envelope: \/type/);
    expect(eventProblem({ ...good, time: '21/11/2026' })).toMatch(/invalid envelope: \/time/);
    expect(eventProblem({ ...good, time: '2026-11-21T06:00:00+01:00' })).toBeUndefined();
    expect(eventProblem('a string')).toMatch(/^event \? has an invalid envelope/);
  });

  it('refuses to register a type twice with different schemas, accepts the same one again', () => {
    registerEventType('unit.thing', Type.Object({ a: Type.String() }));
    expect(() => registerEventType('unit.thing', Type.Object({ a: Type.String() }))).not.toThrow();
    expect(() => registerEventType('unit.thing', Type.Object({ b: Type.String() }))).toThrow(
      /already registered/,
    );
    expect(() => registerEventType('Unit Thing', Type.Object({}))).toThrow(/dotted lower-case/);
  });

  it('parses received bodies, reporting what is wrong', () => {
    const good = buildEnvelopeUnchecked(uploaded);
    expect(parseReceived(JSON.stringify(good))).toEqual({ event: good });
    expect(parseReceived('{')).toMatchObject({
      problem: expect.stringMatching(/^event body is not JSON/),
      raw: '{',
    });
    expect(parseReceived(JSON.stringify({ ...good, data: {} }))).toMatchObject({
      raw: { ...good, data: {} },
    });
  });
});

function buildEnvelopeUnchecked(data: unknown) {
  return {
    specversion: '1.0',
    id: 'e1',
    source: 'storage',
    type: 'media.uploaded',
    time: '2026-11-21T06:00:00.000Z',
    datacontenttype: 'application/json',
    data,
  };
}
