import { describe, expect, it } from 'vitest';
import { answerKind } from './api.js';
import { httpFailureKind, problemCode } from './http.js';

describe('error kinds carry the problem code', () => {
  const problem = (code: string) =>
    Buffer.from(JSON.stringify({ type: `urn:marquee:problem:${code}`, status: 403, code }));

  it('reads the code of a problem+json body, and nothing from anything else', () => {
    expect(problemCode(problem('playback.session_ended'))).toBe('playback.session_ended');
    expect(problemCode(Buffer.from('<html>bad gateway</html>'))).toBeUndefined();
    expect(problemCode(Buffer.from('{not json'))).toBeUndefined();
    expect(problemCode(undefined)).toBeUndefined();
  });

  it('names the status and the code of a segment or an API call', () => {
    expect(httpFailureKind(403, problem('media.token_expired'))).toBe('http 403 media.token_expired');
    expect(httpFailureKind(502, undefined)).toBe('http 502');
    expect(answerKind('heartbeat', { status: 403, json: { code: 'playback.session_ended' } })).toBe(
      'heartbeat http 403 playback.session_ended',
    );
    expect(answerKind('stop', { status: 503, json: {} })).toBe('stop http 503');
  });
});
