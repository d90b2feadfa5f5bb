import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUsers, startGateway, startUpstream, type TestUpstream } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});
async function upstream(name: string): Promise<TestUpstream> {
  const u = await startUpstream(name);
  cleanup.push(() => u.close());
  return u;
}

describe('/readyz/self: the readiness Kubernetes probes', () => {
  it('stays ready while an upstream is down, where the aggregate /readyz (for people) says not ready', async () => {
    const users = await startFakeUsers();
    cleanup.push(() => users.close());
    const storage = await upstream('storage');
    const gw = await startGateway({ users: [users.url], storage: [storage.url] });
    cleanup.push(() => gw.close());

    storage.ready = false;
    const aggregate = await gw.app.inject('/readyz');
    expect(aggregate.statusCode).toBe(503);
    expect(aggregate.json().services.storage.status).toBe('not_ready');

    // One upstream down must not pull every gateway out of the Service: a cascading failure.
    const self = await gw.app.inject('/readyz/self');
    expect(self.statusCode).toBe(200);
    expect(self.json()).toEqual({ status: 'ready', service: 'gateway', checks: { signingKeys: true } });
  });

  it('is not ready while the gateway cannot verify tokens (no signing keys from users yet)', async () => {
    const users = await upstream('users'); // answers no JWK Set
    const gw = await startGateway({ users: [users.url] });
    cleanup.push(() => gw.close());
    const self = await gw.app.inject('/readyz/self');
    expect(self.statusCode).toBe(503);
    expect(self.json()).toMatchObject({
      status: 'not_ready',
      checks: { signingKeys: 'signing keys not loaded from users' },
    });
  });

  it('is in the public OpenAPI document beside /readyz', async () => {
    const users = await startFakeUsers();
    cleanup.push(() => users.close());
    const gw = await startGateway({ users: [users.url] });
    cleanup.push(() => gw.close());
    const doc: { paths: Record<string, unknown> } = (await gw.app.inject('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/readyz', '/readyz/self']));
  });
});
