import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES, type ServiceName } from '@marquee/core';
import { aggregateReadiness, type InstanceReadiness } from './readiness.js';

const all = (ready: boolean): Record<ServiceName, InstanceReadiness[]> =>
  Object.fromEntries(SERVICE_NAMES.map((n) => [n, [{ url: `http://${n}`, ready }]])) as Record<
    ServiceName,
    InstanceReadiness[]
  >;

describe('aggregateReadiness', () => {
  it('is ready when every service has a ready instance', () => {
    const report = aggregateReadiness(all(true));
    expect(report.ready).toBe(true);
    expect(report.body.status).toBe('ready');
    expect(Object.keys(report.body.services)).toEqual([...SERVICE_NAMES]);
  });

  it('counts a service ready when at least one instance is (edges included)', () => {
    const instances = all(true);
    instances.edge = [
      { url: 'http://e1', ready: false, detail: 'ECONNREFUSED' },
      { url: 'http://e2', ready: true },
    ];
    expect(aggregateReadiness(instances).body.services.edge).toEqual({
      status: 'ready',
      ready: 1,
      instances: 2,
    });
  });

  it('is not ready, with the same shape, when one service has none ready or none configured', () => {
    const instances = all(true);
    instances.encoder = [];
    const report = aggregateReadiness(instances);
    expect(report.ready).toBe(false);
    expect(report.body.status).toBe('not_ready');
    expect(report.body.services.encoder).toEqual({ status: 'not_ready', ready: 0, instances: 0 });
    expect(Object.keys(report.body.services)).toEqual([...SERVICE_NAMES]);
  });
});
