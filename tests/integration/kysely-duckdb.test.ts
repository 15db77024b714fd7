import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/lib/core/db/database.server';
import { DuckDBKyselyConnection } from '../../src/lib/core/db/kysely-duckdb';
import { migrationProvider } from '../../src/lib/core/db/migrations';
import type { Database } from '../../src/lib/core/db/schema';
import { tempDir } from '../helpers/ingest-fixture';

let open: OpenDatabase;
let db: Kysely<Database>;
/** The same connection pool, without the app schema's types, for scratch tables. */
let raw: Kysely<any>;

beforeAll(async () => {
	open = await openDatabase(':memory:');
	db = open.db;
	raw = db as unknown as Kysely<any>;
	await sql`create table scratch (id integer, s varchar, n double, i bigint, b boolean, ts timestamp, d date, amount decimal(18, 2))`.execute(db);
});
afterAll(async () => {
	await open.close();
});

async function clearScratch() {
	await sql`delete from scratch`.execute(db);
}

describe('parameters', () => {
	it('round-trips every JS parameter type through sql`` unchanged', async () => {
		const when = new Date(Date.UTC(2024, 2, 1, 14, 30, 15, 250));
		const { rows } = await sql<Record<string, unknown>>`select
			${"it's \"quoted\"; drop table cases; --"} as s,
			${42} as i, ${-3.25} as f, ${true} as t, ${false} as f2, ${null} as nothing,
			${12345678901234n} as big, ${when} as ts,
			typeof(${42}) as int_type, typeof(${when}) as ts_type`.execute(db);
		const row = rows[0];
		expect(row.s).toBe("it's \"quoted\"; drop table cases; --");
		expect(row.i).toBe(42);
		expect(row.f).toBe(-3.25);
		expect(row.t).toBe(true);
		expect(row.f2).toBe(false);
		expect(row.nothing).toBeNull();
		expect(row.big).toBe(12345678901234);
		expect(row.ts).toBeInstanceOf(Date);
		expect((row.ts as Date).toISOString()).toBe(when.toISOString());
		// A Date binds as a naive TIMESTAMP (every time is naive UTC: README, "The data contract"), not TIMESTAMPTZ or text.
		expect(row.ts_type).toBe('TIMESTAMP');
		// The cases table is untouched by the string that looks like SQL.
		expect((await sql<{ n: number }>`select count(*) as n from cases`.execute(db)).rows[0].n).toBe(0);
	});

	it('round-trips every JS parameter type through the query builder (insert, where, select)', async () => {
		await clearScratch();
		const when = new Date('2023-12-31T23:59:59.123Z');
		await raw
			.insertInto('scratch')
			.values([
				{ id: 1, s: "O'Brien \"the\" agent", n: 0.5, i: 7n, b: true, ts: when, d: '2024-02-29', amount: 19.99 },
				{ id: 2, s: null, n: null, i: null, b: false, ts: null, d: null, amount: null }
			])
			.execute();
		const byString = await raw.selectFrom('scratch').selectAll().where('s', '=', "O'Brien \"the\" agent").execute();
		expect(byString).toHaveLength(1);
		expect(byString[0]).toMatchObject({ id: 1, n: 0.5, i: 7, b: true, d: '2024-02-29', amount: 19.99 });
		expect(byString[0].ts.toISOString()).toBe(when.toISOString());
		// Date in a WHERE compares as the same instant.
		expect(await raw.selectFrom('scratch').select('id').where('ts', '=', when).execute()).toEqual([{ id: 1 }]);
		expect(await raw.selectFrom('scratch').select('id').where('b', '=', false).execute()).toEqual([{ id: 2 }]);
		expect(await raw.selectFrom('scratch').select('id').where('i', '=', 7n).execute()).toEqual([{ id: 1 }]);
		const nulls = await raw.selectFrom('scratch').selectAll().where('id', '=', 2).executeTakeFirstOrThrow();
		expect(nulls).toEqual({ id: 2, s: null, n: null, i: null, b: false, ts: null, d: null, amount: null });
	});

	it('refuses parameters it cannot represent instead of binding garbage', async () => {
		await expect(sql`select ${new Date('not a date')} as x`.execute(db)).rejects.toThrow(/Invalid Date/);
		await expect(sql`select ${Number.NaN} as x`.execute(db)).rejects.toThrow(/Non-finite/);
	});
});

describe('timestamps', () => {
	it('stores a Date as the UTC wall clock and reads it back as the same instant', async () => {
		await clearScratch();
		// An instant whose UTC date differs from most local dates, to catch a zone shift either way.
		const when = new Date('2024-07-01T00:30:00.000Z');
		await raw.insertInto('scratch').values({ id: 10, ts: when }).execute();
		const { rows } = await sql<{ text: string; back: Date }>`select strftime(ts, '%Y-%m-%d %H:%M:%S') as text, ts as back from scratch where id = 10`.execute(db);
		expect(rows[0].text).toBe('2024-07-01 00:30:00');
		expect(rows[0].back).toBeInstanceOf(Date);
		expect(rows[0].back.getTime()).toBe(when.getTime());
	});

	it('reads TIMESTAMP literals and now() back as Date in UTC', async () => {
		const before = Date.now();
		const { rows } = await sql<{ lit: Date; now: Date }>`select timestamp '2015-04-22 15:53:50' as lit, now()::timestamp as now`.execute(db);
		const after = Date.now();
		expect(rows[0].lit).toBeInstanceOf(Date);
		expect(rows[0].lit.toISOString()).toBe('2015-04-22T15:53:50.000Z');
		// The session zone is UTC, so now()::timestamp is the current instant (within the query's run time).
		expect(rows[0].now.getTime()).toBeGreaterThanOrEqual(before - 1000);
		expect(rows[0].now.getTime()).toBeLessThanOrEqual(after + 1000);
	});
});

describe('numbers, dates and nulls in results', () => {
	it('returns BIGINT counts as JSON-safe numbers', async () => {
		const { rows } = await sql<{ n: unknown; s: unknown }>`select count(*) as n, sum(x) as s from range(1000) t(x)`.execute(db);
		expect(rows[0].n).toBe(1000);
		expect(typeof rows[0].n).toBe('number');
		// sum over BIGINT is HUGEINT in DuckDB: also converted.
		expect(rows[0].s).toBe((999 * 1000) / 2);
		expect(JSON.stringify(rows[0])).toBe('{"n":1000,"s":499500}');
	});

	it('returns integers beyond 2^53 as exact strings', async () => {
		const { rows } = await sql<{ big: unknown; neg: unknown; edge: unknown }>`select
			9007199254740993::bigint as big, (-9007199254740993)::bigint as neg, 9007199254740991::bigint as edge`.execute(db);
		expect(rows[0].big).toBe('9007199254740993');
		expect(rows[0].neg).toBe('-9007199254740993');
		// The largest safe integer is still a number.
		expect(rows[0].edge).toBe(Number.MAX_SAFE_INTEGER);
		expect(() => JSON.stringify(rows[0])).not.toThrow();
	});

	it('returns DECIMAL(18,2) sums exactly: 0.1 + 0.2 is 0.3', async () => {
		await clearScratch();
		await raw.insertInto('scratch').values([{ id: 1, amount: '0.1' }, { id: 2, amount: '0.2' }]).execute();
		const { rows } = await sql<{ total: unknown; big: unknown; neg: unknown }>`select sum(amount) as total,
			cast('1234567890123456.78' as decimal(18, 2)) as big, cast('-0.05' as decimal(18, 2)) as neg from scratch`.execute(db);
		expect(rows[0].total).toBe(0.3);
		expect(0.1 + 0.2).not.toBe(0.3); // the float path would not give this
		expect(rows[0].neg).toBe(-0.05);
		expect(rows[0].big).toBe(1234567890123456.78);
	});

	it('returns DATE as YYYY-MM-DD text, including dates before 1970 and leap days', async () => {
		const { rows } = await sql<{ a: unknown; b: unknown; c: unknown }>`select date '2024-02-29' as a, date '1969-12-31' as b, null::date as c`.execute(db);
		expect(rows[0]).toEqual({ a: '2024-02-29', b: '1969-12-31', c: null });
	});

	it('returns SQL NULL of every type as null', async () => {
		const { rows } = await sql<Record<string, unknown>>`select null::varchar as s, null::integer as i, null::bigint as b,
			null::decimal(18, 2) as d, null::timestamp as t, null::boolean as f`.execute(db);
		expect(Object.values(rows[0])).toEqual([null, null, null, null, null, null]);
	});
});

describe('transactions', () => {
	it('commits the whole transaction', async () => {
		await clearScratch();
		await db.transaction().execute(async (trx) => {
			const t = trx as unknown as Kysely<any>;
			await t.insertInto('scratch').values({ id: 1 }).execute();
			await t.insertInto('scratch').values({ id: 2 }).execute();
		});
		expect(await raw.selectFrom('scratch').select('id').orderBy('id').execute()).toEqual([{ id: 1 }, { id: 2 }]);
	});

	it('rolls back everything when the callback throws, and the connection is usable afterwards', async () => {
		await clearScratch();
		await expect(
			db.transaction().execute(async (trx) => {
				const t = trx as unknown as Kysely<any>;
				await t.insertInto('scratch').values({ id: 1 }).execute();
				// Visible inside the transaction...
				expect((await t.selectFrom('scratch').select('id').execute()).length).toBe(1);
				throw new Error('boom');
			})
		).rejects.toThrow('boom');
		// ...and gone after it.
		expect(await raw.selectFrom('scratch').select('id').execute()).toEqual([]);
		// A failing statement inside the transaction also rolls back the earlier ones.
		await expect(
			db.transaction().execute(async (trx) => {
				const t = trx as unknown as Kysely<any>;
				await t.insertInto('scratch').values({ id: 3 }).execute();
				await sql`select * from no_such_table`.execute(t);
			})
		).rejects.toThrow(/no_such_table/);
		expect(await raw.selectFrom('scratch').select('id').execute()).toEqual([]);
		// Pooled connections came back clean: no transaction is left open on them.
		await raw.insertInto('scratch').values({ id: 4 }).execute();
		expect(await raw.selectFrom('scratch').select('id').execute()).toEqual([{ id: 4 }]);
	});

	it('reports numAffectedRows for writes', async () => {
		await clearScratch();
		const inserted = await raw.insertInto('scratch').values([{ id: 1 }, { id: 2 }, { id: 3 }]).executeTakeFirst();
		expect(inserted.numInsertedOrUpdatedRows).toBe(3n);
		const updated = await raw.updateTable('scratch').set({ s: 'x' }).where('id', '<', 3).executeTakeFirst();
		expect(updated.numUpdatedRows).toBe(2n);
		const deleted = await raw.deleteFrom('scratch').where('id', '>', 2).executeTakeFirst();
		expect(deleted.numDeletedRows).toBe(1n);
		// With RETURNING, the rows are the result and their number is the count.
		const returned = await raw.insertInto('scratch').values([{ id: 7 }, { id: 8 }]).returning('id').execute();
		expect(returned).toEqual([{ id: 7 }, { id: 8 }]);
		// Raw SQL writes report their count as well (ingest counts replaced rows with one).
		const rawDelete = await sql`delete from scratch where id >= ${7}`.execute(db);
		expect(rawDelete.numAffectedRows).toBe(2n);
		expect(rawDelete.rows).toEqual([]);
		expect((await sql.raw('delete from scratch').execute(db)).numAffectedRows).toBe(2n);
	});
});

describe('streaming', () => {
	it('yields every row of a 10,000-row result in several chunks', async () => {
		await clearScratch();
		await sql`insert into scratch (id, s) select i, 'row ' || i from range(10000) t(i)`.execute(db);
		let count = 0;
		let sum = 0;
		let last = -1;
		let ordered = true;
		for await (const row of raw.selectFrom('scratch').select(['id', 's']).orderBy('id').stream(1000)) {
			if (row.id !== last + 1 || row.s !== `row ${row.id}`) ordered = false;
			last = row.id;
			count++;
			sum += row.id;
		}
		expect(count).toBe(10_000);
		expect(sum).toBe((9999 * 10000) / 2);
		expect(ordered).toBe(true);
	});

	it('delivers chunks of the requested size from the connection', async () => {
		// Chunking is visible on the connection, below Kysely's row-by-row stream.
		const sizes: number[] = [];
		const connection = new DuckDBKyselyConnection(await open.instance.connect());
		try {
			for await (const chunk of connection.streamQuery<{ i: number }>(CompiledQuery.raw('select i from range(10000) t(i)'), 3000)) {
				sizes.push(chunk.rows.length);
			}
		} finally {
			connection.raw.closeSync();
		}
		expect(sizes.reduce((a, b) => a + b, 0)).toBe(10_000);
		expect(sizes.length).toBeGreaterThan(1);
		expect(sizes.slice(0, -1).every((n) => n >= 3000)).toBe(true);
	});
});

describe('schema', () => {
	it('the introspector lists the app tables with their columns', async () => {
		const tables = await db.introspection.getTables();
		const names = tables.map((t) => t.name);
		for (const name of ['cases', 'feedback', 'import_batches', 'rejected_rows', 'policy_versions', 'country_regions', 'currency_rates', 'saved_mappings']) {
			expect(names).toContain(name);
		}
		// Kysely's own bookkeeping is hidden unless asked for.
		expect(names.some((n) => n.startsWith('kysely_'))).toBe(false);
		expect((await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name)).toContain('kysely_migration');
		const cases = tables.find((t) => t.name === 'cases')!;
		const createdAt = cases.columns.find((c) => c.name === 'created_at')!;
		expect(createdAt).toMatchObject({ dataType: 'TIMESTAMP', isNullable: false });
		expect(cases.columns.find((c) => c.name === 'resolved_at')?.isNullable).toBe(true);
		const batches = tables.find((t) => t.name === 'import_batches')!;
		expect(batches.columns.find((c) => c.name === 'batch_id')?.hasDefaultValue).toBe(true);
	});

	it('applies migrations once: a file opened twice keeps its data and its reference rows', async () => {
		const dir = await tempDir();
		const path = join(dir, 'twice.duckdb');
		try {
			const first = await openDatabase(path);
			const regions = (await first.db.selectFrom('country_regions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
			expect(regions).toBeGreaterThan(10);
			await first.db.insertInto('saved_mappings').values({ name: 'kept', kind: 'cases', body: '{}', created_by: 'test', created_at: new Date() }).execute();
			await first.close();

			const second = await openDatabase(path);
			try {
				const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
				// Each migration recorded exactly once, in order.
				expect(migrations.rows.map((r) => r.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
				expect((await second.db.selectFrom('saved_mappings').select('name').execute()).map((r) => r.name)).toEqual(['kept']);
				// Seed rows were not inserted a second time.
				const again = (await second.db.selectFrom('country_regions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
				expect(again).toBe(regions);
				expect((await second.db.selectFrom('policy_versions').select('version').execute()).length).toBe(1);
			} finally {
				await second.close();
			}
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
