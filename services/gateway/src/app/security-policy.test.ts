import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, originsOf } from './security-policy.js';

describe('content security policy', () => {
  it('lets media, XHR and images come from the edges, workers from blob:, nothing else from elsewhere', () => {
    const csp = contentSecurityPolicy(['http://127.0.0.1:4001', 'https://edge-2.example']);
    expect(csp['media-src']).toEqual(["'self'", 'blob:', 'http://127.0.0.1:4001', 'https://edge-2.example']);
    expect(csp['connect-src']).toEqual(["'self'", 'http://127.0.0.1:4001', 'https://edge-2.example']);
    expect(csp['img-src']).toContain('data:');
    expect(csp['worker-src']).toEqual(["'self'", 'blob:']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
  });

  it('reduces URLs to origins, deduplicated', () => {
    expect(originsOf(['http://127.0.0.1:4001/x', 'http://127.0.0.1:4001/', 'not a url'])).toEqual([
      'http://127.0.0.1:4001',
    ]);
  });
});
