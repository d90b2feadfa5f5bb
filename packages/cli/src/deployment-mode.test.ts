import { SERVICE_NAMES } from '@marquee/core';
import { describe, expect, it } from 'vitest';
import { embeddedBackendWarnings, trustedProxies } from './deployment-mode.js';

const shared = {
  DATABASE_URL: 'postgres://db/marquee',
  REDIS_URL: 'redis://cache:6379',
  NATS_URL: 'nats://nats:4222',
  S3_BUCKET: 'media',
};

describe('embeddedBackendWarnings', () => {
  it('says nothing in monolithic mode, whatever the backends', () => {
    expect(embeddedBackendWarnings({}, SERVICE_NAMES)).toEqual([]);
  });

  it('says nothing for a subset on shared engines', () => {
    expect(embeddedBackendWarnings(shared, ['streaming'])).toEqual([]);
  });

  it('names each embedded backend a subset runs on', () => {
    const warnings = embeddedBackendWarnings({}, ['gateway', 'users']);
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/REDIS_URL[\s\S]*NATS_URL[\s\S]*DATABASE_URL[\s\S]*S3_BUCKET/);
  });

  it('warns about the in-process cache alone when only Redis is missing', () => {
    const { REDIS_URL: _, ...rest } = shared;
    const warnings = embeddedBackendWarnings(rest, ['gateway']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/rate limits, stream leases/);
  });
});

describe('trustedProxies', () => {
  it('trusts none by default, any with true, else exactly the listed addresses', () => {
    expect(trustedProxies('')).toBe(false);
    expect(trustedProxies('true')).toBe(true);
    expect(trustedProxies('10.0.0.0/8,192.168.1.7')).toEqual(['10.0.0.0/8', '192.168.1.7']);
  });
});
