import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { backendAvailable } from '../testing/backends.js';
import { openTestDatabase } from '../testing/database.js';
import { flagColumn, instantColumn, jsonColumn } from './columns.js';
import { MigrationError } from './errors.js';
import type { Database } from './port.js';

/** The same suite on every adapter: behaviour a service may rely on whichever DATABASE_URL it gets. */
interface Tables {
  log: { id: number; step: string };
  items: { id: number; name: string; qty: Generated<number> };
  owners: { id: number; name: string };
  pets: { id: number; owner_id: number; name: string };
  docs: { id: number; body: string; created_at: string; created_ms: number; hidden: number };
}

// Auto-increment is spelled differently on each dialect, so portable tables take ids from the
// application (random UUIDs in the services); here, the order each migration ran in.
const createLog: Migration = {
  async up(db) {
    await db.schema
      .createTable('log')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('step', 'text', (c) => c.notNull())
      .execute();
    await db.insertInto('log').values({ id: 1, step: 'first' }).execute();
  },
};
const logStep = (step: string): Migration => ({
  async up(db) {
    const { n } = await db
      .selectFrom('log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await db
      .insertInto('log')
      .values({ id: n + 1, step })
      .execute();
  },
});
const createItems: Migration = {
  async up(db) {
    await db.schema
      .createTable('items')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('qty', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
const createPets: Migration = {
  async up(db) {
    await db.schema
      .createTable('owners')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text')
      .execute();
    await db.schema
      .createTable('pets')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('owner_id', 'integer', (c) => c.notNull().references('owners.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
  },
};
const createDocs: Migration = {
  async up(db) {
    await db.schema
      .createTable('docs')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .addColumn('hidden', 'integer', (c) => c.notNull())
      .execute();
  },
};

async function steps(db: Kysely<Tables>): Promise<string[]> {
  const rows = await db.selectFrom('log').select('step').orderBy('id').execute();
  return rows.map((r) => r.step);
}

async function tableExists(db: Database<Tables>, table: string): Promise<boolean> {
  // PostgreSQL's introspection lists every schema; the service's own is the one that counts.
  const tables = await db.read.introspection.getTables();
  return tables.some((t) => t.name === table && (db.dialect === 'sqlite' || t.schema === db.service));
}

const adapters = [
  { name: 'sqlite', backend: 'embedded' as const, run: await backendAvailable('embedded') },
  { name: 'postgres', backend: 'postgres' as const, run: await backendAvailable('postgres') },
];

for (const adapter of adapters) {
  describe.runIf(adapter.run)(`db contract: ${adapter.name}`, () => {
    const opened: Database<Tables>[] = [];
    const open = async (service?: string) => {
      const db = await openTestDatabase<Tables>(adapter.backend, { service });
      opened.push(db);
      return db;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((db) => db.close()));
    });

    it('runs migrations once each, in name order, whatever the record order', async () => {
      const db = await open();
      await db.migrate({
        '002_second': logStep('second'),
        '001_first': createLog,
        '003_third': logStep('third'),
      });
      expect(await steps(db.write)).toEqual(['first', 'second', 'third']);

      await db.migrate({
        '002_second': logStep('second'),
        '001_first': createLog,
        '003_third': logStep('third'),
      });
      expect(await steps(db.write)).toEqual(['first', 'second', 'third']);

      await db.migrate({
        '001_first': createLog,
        '002_second': logStep('second'),
        '003_third': logStep('third'),
        '004_fourth': logStep('fourth'),
      });
      expect(await steps(db.write)).toEqual(['first', 'second', 'third', 'fourth']);
    });

    it('applies nothing of a migrate() call when one of its migrations fails, and can be retried', async () => {
      const db = await open();
      const broken: Migration = {
        async up() {
          throw new Error('boom');
        },
      };
      const failure = db.migrate({ '001_first': createLog, '002_items': createItems, '003_broken': broken });
      await expect(failure).rejects.toThrow(MigrationError);
      await expect(failure).rejects.toThrow(/003_broken.*boom/);
      expect(await tableExists(db, 'log')).toBe(false);
      expect(await tableExists(db, 'items')).toBe(false);

      await db.migrate({ '001_first': createLog, '002_items': createItems, '003_broken': logStep('fixed') });
      expect(await steps(db.write)).toEqual(['first', 'fixed']);
    });

    it('creates, reads, updates and deletes rows; counts come back as numbers', async () => {
      const db = await open();
      await db.migrate({ '001_items': createItems });
      await db.write
        .insertInto('items')
        .values([
          { id: 1, name: 'popcorn', qty: 2 },
          { id: 2, name: 'soda', qty: 1 },
        ])
        .execute();
      const inserted = await db.write
        .insertInto('items')
        .values({ id: 3, name: 'candy' })
        .returning(['id', 'qty'])
        .executeTakeFirstOrThrow();
      expect(inserted).toEqual({ id: 3, qty: 0 });

      await db.write.updateTable('items').set({ qty: 5 }).where('name', '=', 'soda').execute();
      await db.write.deleteFrom('items').where('id', '=', 1).execute();
      const rows = await db.read.selectFrom('items').selectAll().orderBy('id').execute();
      expect(rows).toEqual([
        { id: 2, name: 'soda', qty: 5 },
        { id: 3, name: 'candy', qty: 0 },
      ]);

      const { n, total } = await db.read
        .selectFrom('items')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum<number>('qty').as('total')])
        .executeTakeFirstOrThrow();
      expect(n).toBe(2);
      expect(Number(total)).toBe(5);

      await expect(db.write.insertInto('items').values({ id: 4, name: 'soda' }).execute()).rejects.toThrow();
    });

    it('enforces foreign keys', async () => {
      const db = await open();
      await db.migrate({ '001_pets': createPets });
      await expect(
        db.write.insertInto('pets').values({ id: 1, owner_id: 99, name: 'rex' }).execute(),
      ).rejects.toThrow();
      await db.write.insertInto('owners').values({ id: 1, name: 'ann' }).execute();
      await db.write.insertInto('pets').values({ id: 1, owner_id: 1, name: 'rex' }).execute();
      await db.write.deleteFrom('owners').where('id', '=', 1).execute();
      expect(await db.read.selectFrom('pets').selectAll().execute()).toEqual([]);
    });

    it('commits a transaction and returns its result; a throwing one leaves nothing behind', async () => {
      const db = await open();
      await db.migrate({ '001_items': createItems });
      const id = await db.transaction(async (trx) => {
        await trx.insertInto('items').values({ id: 1, name: 'kept' }).execute();
        return 1;
      });
      expect(id).toBe(1);

      const failing = db.transaction(async (trx) => {
        await trx.insertInto('items').values({ id: 2, name: 'lost' }).execute();
        await trx.updateTable('items').set({ qty: 9 }).where('id', '=', 1).execute();
        throw new Error('abort');
      });
      await expect(failing).rejects.toThrow('abort');
      expect(await db.read.selectFrom('items').selectAll().execute()).toEqual([
        { id: 1, name: 'kept', qty: 0 },
      ]);
    });

    it('isolates services: the same table and migration names in two services never meet', async () => {
      const alpha = await open('alpha');
      const beta = await open('beta');
      await alpha.migrate({ '001_items': createItems });
      await beta.migrate({ '001_items': createItems, '002_log': createLog });
      await alpha.write.insertInto('items').values({ id: 1, name: 'alpha-only' }).execute();
      await beta.write.insertInto('items').values({ id: 1, name: 'beta-only' }).execute();

      expect(await alpha.read.selectFrom('items').select('name').execute()).toEqual([{ name: 'alpha-only' }]);
      expect(await beta.read.selectFrom('items').select('name').execute()).toEqual([{ name: 'beta-only' }]);
      expect(await tableExists(alpha, 'log')).toBe(false);
      // alpha's history does not include beta's 002_log, so alpha can still run its own 002.
      await alpha.migrate({ '001_items': createItems, '002_log': createLog });
      expect(await steps(alpha.write)).toEqual(['first']);
    });

    it('reads committed writes through the read handle', async () => {
      const db = await open();
      await db.migrate({ '001_items': createItems });
      await db.transaction((trx) => trx.insertInto('items').values({ id: 7, name: 'committed' }).execute());
      const row = await db.read.selectFrom('items').select('name').where('id', '=', 7).executeTakeFirst();
      expect(row).toEqual({ name: 'committed' });
    });

    it('round-trips JSON as text, instants as ISO text or epoch milliseconds, flags as 0/1', async () => {
      const db = await open();
      await db.migrate({ '001_docs': createDocs });
      const body = {
        title: 'Amélie — « 北京 » 🎬',
        quote: 'say "hi"\\n',
        nested: { rows: [1, 2.5, -3], empty: [], none: null, yes: true },
      };
      const times = [
        new Date('2026-01-02T03:04:05.678Z'),
        new Date('1999-12-31T23:59:59.999Z'),
        new Date('2026-11-21T00:00:00.000Z'),
      ];
      await db.write
        .insertInto('docs')
        .values(
          times.map((t, i) => ({
            id: i + 1,
            body: jsonColumn.encode({ ...body, i }),
            created_at: instantColumn.encode(t),
            created_ms: t.getTime(),
            hidden: flagColumn.encode(i === 1),
          })),
        )
        .execute();

      const first = await db.read
        .selectFrom('docs')
        .selectAll()
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      expect(jsonColumn.decode(first.body)).toEqual({ ...body, i: 0 });
      expect(instantColumn.decode(first.created_at)).toEqual(times[0]);
      expect(first.created_ms).toBe(times[0]!.getTime());
      const hidden = await db.read
        .selectFrom('docs')
        .select('id')
        .where('hidden', '=', flagColumn.encode(true))
        .execute();
      expect(hidden).toEqual([{ id: 2 }]);
      expect(flagColumn.decode(first.hidden)).toBe(false);

      const byText = await db.read.selectFrom('docs').select('id').orderBy('created_at').execute();
      const byMs = await db.read.selectFrom('docs').select('id').orderBy('created_ms').execute();
      expect(byText.map((r) => r.id)).toEqual([2, 1, 3]);
      expect(byMs.map((r) => r.id)).toEqual([2, 1, 3]);
      const since = await db.read
        .selectFrom('docs')
        .select('id')
        .where('created_at', '>=', instantColumn.encode(new Date('2026-01-01T00:00:00Z')))
        .orderBy('id')
        .execute();
      expect(since.map((r) => r.id)).toEqual([1, 3]);
    });

    it('pings while open and not after close', async () => {
      const db = await open();
      expect(await db.ping()).toBe(true);
      await sql`select 1`.execute(db.read);
      await db.close();
      expect(await db.ping()).toBe(false);
    });
  });
}
