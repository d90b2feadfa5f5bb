import { describe, expect, it } from 'vitest';
import { loadSettings } from '@marquee/core';
import { defaultSteeringBaseUrl, resolveEdgeIdentity } from './edge-identity.js';

const settings = loadSettings({});
const urls = ['http://127.0.0.1:41001', 'http://127.0.0.1:41002'];

describe('resolveEdgeIdentity', () => {
  it('names the n-th edge of the process after the host, stable across random ports', () => {
    expect(resolveEdgeIdentity({ settings, edgeUrls: urls, port: 41002, tls: false, host: 'box' })).toEqual({
      edgeId: 'box-e2',
      url: 'http://127.0.0.1:41002',
    });
  });

  it('keeps ids usable as consumer groups and pathway ids whatever the host name', () => {
    const { edgeId } = resolveEdgeIdentity({
      settings,
      edgeUrls: urls,
      port: 41001,
      tls: true,
      host: 'edge.pop-fra.example.com',
    });
    expect(edgeId).toMatch(/^[A-Za-z0-9_-]{1,58}$/);
    expect(`edge-${edgeId}`.length).toBeLessThanOrEqual(64);
  });

  it('uses the configured public URL, else its listen address with the right scheme', () => {
    const configured = loadSettings({ EDGE_PUBLIC_URLS: 'https://e1.example.com/,https://e2.example.com' });
    expect(resolveEdgeIdentity({ settings: configured, edgeUrls: urls, port: 41001, tls: true }).url).toBe(
      'https://e1.example.com',
    );
    expect(resolveEdgeIdentity({ settings, edgeUrls: [], port: 5000, tls: true, host: 'h' })).toEqual({
      edgeId: 'h-e5000',
      url: 'https://127.0.0.1:5000',
    });
    const everywhere = loadSettings({ MARQUEE_HOST: '0.0.0.0' });
    expect(resolveEdgeIdentity({ settings: everywhere, edgeUrls: [], port: 5000, tls: false }).url).toBe(
      'http://127.0.0.1:5000',
    );
    expect(defaultSteeringBaseUrl(everywhere)).toBe('http://127.0.0.1:8080/api/steering');
  });
});
