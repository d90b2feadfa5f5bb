import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { storeBackends, startUsers, type UsersHarness } from './harness.js';

/**
 * stop() waits for the service's background work before it closes the database. The verification
 * mail runs after the sign-up's answer; here its transaction is held open (the email links table is
 * locked by another connection), and stop() must not go on to close the database meanwhile — in tests
 * that close drops the PostgreSQL schema, which deadlocked (40P01) against such a transaction.
 * PostgreSQL only: the lock and the server's view of waiting queries are what show the order.
 */
const backends = (await storeBackends()).filter((b) => b.backend === 'postgres');

describe.each(backends)('users stop() on $backend', ({ backend, available }) => {
  let users: UsersHarness | undefined;
  afterEach(async () => {
    await users?.close();
  });

  it.runIf(available)('waits for the mail after a sign-up before closing the database', async () => {
    users = await startUsers(backend);
    const { db } = users;
    // Statements of this test's schema waiting behind `pid` (the lock holder), as the server sees them.
    const waitingBehind = async (pid: number) =>
      (
        await sql<{ query: string }>`
          select query from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`.execute(db.write)
      ).rows.map((r) => r.query);

    let stopped = false;
    let stopping: Promise<void> | undefined;
    await db.read.transaction().execute(async (trx) => {
      await sql`lock table email_links in access exclusive mode`.execute(trx);
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
      const holder = rows[0]!.pid;
      await users!.signup();
      // The mail's transaction is open, waiting for the lock.
      const deadline = Date.now() + 20_000;
      while (!(await waitingBehind(holder)).some((q) => /email_links/.test(q))) {
        if (Date.now() > deadline) throw new Error('the verification mail never reached the email links');
        await new Promise((r) => setTimeout(r, 20));
      }
      stopping = users!.users.stop().then(() => void (stopped = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(stopped).toBe(false);
      // Nothing tore the database down behind the open transaction.
      expect((await waitingBehind(holder)).some((q) => /drop schema/i.test(q))).toBe(false);
    });
    await stopping;
    expect(stopped).toBe(true);
  });
});
