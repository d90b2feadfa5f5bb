import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, rewriteLocation, upstreamRequestHeaders } from './forwarding.js';

describe('upstream request headers', () => {
  const ctx = {
    requestId: 'r-1',
    serviceToken: 'tok',
    clientAddress: '203.0.113.9',
    protocol: 'https',
    host: 'marquee.example',
  };

  it('drops hop-by-hop, Connection-named and forged internal headers, adds trust and identity', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'marquee.example',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': '1',
        'transfer-encoding': 'chunked',
        'x-marquee-role': 'admin',
        'x-marquee-service-token': 'forged',
        'x-forwarded-for': '6.6.6.6',
        'content-type': 'application/json',
        'upload-offset': '10',
      },
      { ...ctx, identity: { accountId: 'a-1', role: 'viewer', plan: 'basic', sessionId: 's-1' } },
    );
    expect(out).toEqual({
      'content-type': 'application/json',
      'upload-offset': '10',
      'x-marquee-service-token': 'tok',
      'x-request-id': 'r-1',
      'x-marquee-account-id': 'a-1',
      'x-marquee-role': 'viewer',
      'x-marquee-plan': 'basic',
      'x-marquee-session-id': 's-1',
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'marquee.example',
    });
  });

  it('sends no identity for anonymous calls', () => {
    const out = upstreamRequestHeaders({ 'x-marquee-account-id': 'forged' }, ctx);
    expect(out['x-marquee-account-id']).toBeUndefined();
  });
});

describe('client response headers', () => {
  it('rewrites an upstream-absolute Location onto the public origin and drops internal headers', () => {
    const out = clientResponseHeaders(
      {
        location: 'http://127.0.0.1:4100/api/admin/uploads/abc?x=1',
        'upload-offset': '0',
        connection: 'keep-alive',
        'x-marquee-debug': 'x',
        'set-cookie': ['a=1', 'b=2'],
      },
      'http://127.0.0.1:4100',
      'https://marquee.example',
    );
    expect(out).toEqual({
      location: 'https://marquee.example/api/admin/uploads/abc?x=1',
      'upload-offset': '0',
      'set-cookie': ['a=1', 'b=2'],
    });
  });

  it('leaves relative and foreign Locations alone', () => {
    expect(rewriteLocation('/api/admin/uploads/abc', 'http://127.0.0.1:1', 'https://m.example')).toBe(
      '/api/admin/uploads/abc',
    );
    expect(rewriteLocation('https://cdn.example/x', 'http://127.0.0.1:1', 'https://m.example')).toBe(
      'https://cdn.example/x',
    );
  });
});
