import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema';
import { withLock } from '../keyed-lock';

/**
 * Tables derived from the imported rows (the Friction page's term tables, migration
 * 0006-friction-terms; the automatic checks' verdicts, migration 0013-check-results), brought up
 * to date on the first request after an import (or by the warm-up right after it) instead of
 * being recomputed on every request. derived_table_state records, per table, the settings it was
 * built with and the committed batches it reflects.
 *
 * Imports add rows under a new batch id and delete earlier versions of the same ids
 * (src/lib/imports/ingest-file.server.ts), so the rows of the batches committed since are exactly
 * the ones to derive again ('since'). Anything else (a batch committed out of order, batches gone,
 * other settings, no state yet) asks for a rebuild ('full'). Only batches of the kinds a table
 * reads count (KeptTable).
 */
export type Refresh = { kind: 'full' | 'since'; after: number };

/** The kinds of import batch (import_batches.kind). */
export type BatchKind = 'cases' | 'feedback' | 'messages';

/**
 * A kept table: its name in derived_table_state and the kinds of batch whose rows it reads. Only
 * those batches move it: a messages import leaves the Speed clock as it was instead of rebuilding
 * it over every case (a table that reads answers joined to their cases reads both kinds).
 */
export interface KeptTable {
	name: string;
	reads: readonly BatchKind[];
}

interface State {
	settings: string;
	batch_id: number;
	batches: number;
}

type Plan = { kind: 'fresh' } | (Refresh & { latest: number; batches: number });

async function plan(db: Kysely<Database>, table: KeptTable, settings: string): Promise<Plan> {
	const state = (await sql<State>`SELECT settings, batch_id, batches FROM derived_table_state WHERE source = ${table.name}`.execute(db)).rows[0];
	const { rows } = await sql<{ latest: number; batches: number; covered: number }>`
		SELECT coalesce(max(batch_id), 0) AS latest, count(*) AS batches, count(*) FILTER (WHERE batch_id <= ${state?.batch_id ?? 0}) AS covered
		FROM import_batches WHERE status = 'committed' AND kind IN (${sql.join(table.reads)})`.execute(db);
	const now = rows[0];
	if (!state || state.settings !== settings || now.covered !== state.batches) return { kind: 'full', after: 0, latest: now.latest, batches: now.batches };
	if (now.latest === state.batch_id) return { kind: 'fresh' };
	return { kind: 'since', after: state.batch_id, latest: now.latest, batches: now.batches };
}

/**
 * Settings for a table that is whatever `queries` return: the SHA-256 of their SQL and parameters,
 * so that a changed definition, or a changed number in it (a policy target, the snapshot), rebuilds
 * the table and nothing else does.
 */
export function settingsOfSql(db: Kysely<Database>, ...queries: RawBuilder<unknown>[]): string {
	return createHash('sha256')
		.update(JSON.stringify(queries.map((q) => { const c = q.compile(db); return [c.sql, c.parameters]; })))
		.digest('hex');
}

/** The lock one table's builders queue on (src/lib/core/keyed-lock.ts). */
export function derivedTableLock(name: string): string {
	return `derived-table:${name}`;
}

/**
 * Runs `build` when `table` is behind the committed imports of the kinds it reads, or behind
 * `settings`; returns whether it ran. Given a transaction (an import bringing the tables up to date
 * before it commits, src/lib/imports/keep-derived.server.ts), it builds in that transaction, and
 * the caller holds the table's lock until the transaction ends.
 */
export async function keepCurrent(db: Kysely<Database>, table: KeptTable, settings: string, build: (trx: Kysely<Database>, refresh: Refresh) => Promise<void>): Promise<boolean> {
	const inTransaction = async (trx: Kysely<Database>) => {
		// Read inside the transaction: its snapshot is the one the rows are derived from.
		const p = await plan(trx, table, settings);
		if (p.kind === 'fresh') return false;
		await build(trx, { kind: p.kind, after: p.after });
		await sql`INSERT OR REPLACE INTO derived_table_state VALUES (${table.name}, ${settings}, ${p.latest}, ${p.batches}, now()::timestamp)`.execute(trx);
		return true;
	};
	if (db.isTransaction) return inTransaction(db);
	if ((await plan(db, table, settings)).kind === 'fresh') return false;
	// One builder per table at a time; the others wait and then find it fresh.
	return withLock(derivedTableLock(table.name), () => db.transaction().execute(inTransaction));
}
