import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '@marquee/core';
import { checkEdgeUrls, listenUrl, publicEdgeUrls } from './service-urls.js';

describe('listenUrl', () => {
  it('names edges with https when EDGE_TLS is on, every other service with http', () => {
    const tls = loadSettings({ EDGE_TLS: 'self-signed' });
    expect(listenUrl(tls, 'edge', 4001)).toBe('https://127.0.0.1:4001');
    expect(listenUrl(tls, 'streaming', 4002)).toBe('http://127.0.0.1:4002');
    expect(listenUrl(loadSettings({ EDGE_TLS: 'files' }), 'edge', 4001)).toBe('https://127.0.0.1:4001');
    expect(listenUrl(loadSettings({}), 'edge', 4001)).toBe('http://127.0.0.1:4001');
  });

  it('connects to loopback when services bind a wildcard address', () => {
    expect(listenUrl(loadSettings({ MARQUEE_HOST: '0.0.0.0' }), 'users', 4003)).toBe('http://127.0.0.1:4003');
    expect(listenUrl(loadSettings({ MARQUEE_HOST: '::' }), 'edge', 4004)).toBe('http://127.0.0.1:4004');
    expect(listenUrl(loadSettings({ MARQUEE_HOST: 'localhost' }), 'edge', 4004)).toBe(
      'http://localhost:4004',
    );
  });
});

describe('checkEdgeUrls', () => {
  it('refuses plain-HTTP edge URLs when edges listen with TLS, naming the settings', () => {
    const tls = loadSettings({ EDGE_TLS: 'self-signed' });
    expect(() => checkEdgeUrls(tls, ['https://127.0.0.1:1', 'http://127.0.0.1:2'])).toThrow(ConfigError);
    expect(() => checkEdgeUrls(tls, ['http://127.0.0.1:2'])).toThrow(
      /MARQUEE_EDGE_URLS: EDGE_TLS=self-signed .*http:\/\/127\.0\.0\.1:2/,
    );
    expect(() => checkEdgeUrls(tls, ['https://127.0.0.1:1'])).not.toThrow();
    expect(() => checkEdgeUrls(loadSettings({}), ['http://127.0.0.1:2'])).not.toThrow();
  });
});

describe('publicEdgeUrls', () => {
  const internal = ['https://127.0.0.1:4001', 'https://127.0.0.1:4002'];

  it("is each edge's own URL without EDGE_PUBLIC_URLS", () => {
    expect(publicEdgeUrls(loadSettings({}), internal)).toEqual(internal);
  });

  it('lets EDGE_PUBLIC_URLS win, edge by edge', () => {
    const one = loadSettings({ EDGE_PUBLIC_URLS: 'https://edge-a.example.com/' });
    expect(publicEdgeUrls(one, internal)).toEqual(['https://edge-a.example.com', 'https://127.0.0.1:4002']);
    const behindIngress = loadSettings({ EDGE_PUBLIC_URLS: 'https://edge.example.com' });
    expect(publicEdgeUrls(behindIngress, ['http://marquee-edge:8080'])).toEqual(['https://edge.example.com']);
  });
});
