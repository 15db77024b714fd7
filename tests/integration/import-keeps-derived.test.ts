import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import type { Database } from '../../src/lib/core/db/schema';
import { DuckDBDialect } from '../../src/lib/core/db/kysely-duckdb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDemo } from '../../src/lib/demo/load-demo.server';
import { currentPolicy } from '../../src/lib/core/policy/policy.server';
import { snapshotTime } from '../../src/lib/metrics/filters/snapshot.server';
import { keepSpeedClock } from '../../src/lib/metrics/speed/speed.server';
import { keepFairnessCases } from '../../src/lib/metrics/fairness/fairness-cases.server';
import { fairnessSettings } from '../../src/lib/metrics/fairness/fairness-groups.server';
import { keepConsistencyCounts } from '../../src/lib/metrics/consistency/consistency-counts.server';
import { keepCheckResults } from '../../src/lib/audits/auto-checks/check-results.server';
import { checkContext, perCaseChecksSql } from '../../src/lib/audits/auto-checks/checks-sql.server';
import { keepThreadFacts } from '../../src/lib/audits/auto-checks/thread-facts.server';
import { frictionSettings } from '../../src/lib/friction/friction-config.server';
import { ensureTermTable } from '../../src/lib/friction/term-table.server';
import { ensureDocumentTable } from '../../src/lib/friction/document-table.server';
import { ensureCaseFlags } from '../../src/lib/friction/structural.server';
import { keepDerivedTables } from '../../src/lib/imports/keep-derived.server';
import { importMessages } from '../../src/lib/conversations/import-messages.server';
import { pendingLocks } from '../../src/lib/core/keyed-lock';
import { ingestFixture, MiB, type IngestFixture } from '../helpers/ingest-fixture';

// The server's imports bring the tables kept per import up to date inside their own transaction,
// so the first readers after the commit find them current and rebuild nothing. What they hold must
// be what building them from scratch gives; a table nobody built stays unbuilt; and an import that
// fails while doing so leaves the archive and the tables as they were.
const END = new Date('2026-11-01T00:00:00Z');
let f: IngestFixture;

/** What a reader does before reading each kept table; true where it had to rebuild. */
async function readersRebuild(): Promise<Record<string, boolean>> {
	const { policy } = await currentPolicy(f.db);
	const friction = frictionSettings();
	return {
		speed_clock: await keepSpeedClock(f.db, policy, await snapshotTime(f.db)),
		// Before the checks, which bring it up to date themselves.
		thread_facts: await keepThreadFacts(f.db),
		auto_check_results: await keepCheckResults(f.db, await checkContext(f.db)),
		fairness_cases: await keepFairnessCases(f.db, fairnessSettings(policy)),
		consistency_counts: await keepConsistencyCounts(f.db),
		comments: await ensureTermTable(f.db, 'comments', friction),
		documents_comments: await ensureDocumentTable(f.db, 'comments'),
		case_flags: await ensureCaseFlags(f.db, friction.repeat_contact_days)
	};
}

const KEPT_TABLES = ['speed_clock', 'speed_summary', 'speed_summary_trend', 'thread_waits', 'thread_notes', 'auto_check_results', 'fairness_cases', 'fairness_group_medians', 'consistency_counts', 'consistency_agent_teams', 'friction_documents_comments', 'friction_document_texts_comments', 'friction_case_flags'];

/** Every kept table's rows, as an order-free checksum. */
async function contents(): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const table of KEPT_TABLES) {
		const { rows } = await sql<{ n: number; h: bigint | null }>`SELECT count(*) AS n, sum(hash(t)) AS h FROM ${sql.table(table)} t`.execute(f.db);
		out[table] = `${rows[0].n}:${rows[0].h}`;
	}
	return out;
}

/** What the server passes an import: bring the kept tables up to date in its transaction. */
const keeping = (trx: Kysely<Database>) => keepDerivedTables(trx, f.db);

const state = async () => Object.fromEntries((await sql<{ source: string; batch_id: number }>`SELECT source, batch_id FROM derived_table_state`.execute(f.db)).rows.map((r) => [r.source, Number(r.batch_id)]));

beforeAll(async () => {
	f = await ingestFixture();
	await loadDemo(f.db, { cases: 2000, seed: 5, end: END, archiveDir: join(f.dir, 'archive'), maxBytes: 200 * MiB, importedBy: 'test' });
	// Built once, as the first readers would.
	expect(Object.values(await readersRebuild())).toEqual([true, true, true, true, true, true, true, true]);
}, 120_000);

afterAll(async () => {
	await f?.dispose();
});

/** Three cases again, resolved `days` after they opened: every kept table has something to change. */
async function slowerCases(days: number): Promise<string> {
	const columns = ['case_id', 'created_at', 'resolved_at', 'first_response_at', 'status', 'region', 'category', 'channel', 'stage', 'outcome', 'customer_since', 'delivered_at', 'order_value', 'currency'] as const;
	const { rows } = await sql<Record<(typeof columns)[number], unknown>>`
		SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM cases WHERE resolved_at IS NOT NULL ORDER BY case_id LIMIT 3`.execute(f.db);
	const cell = (v: unknown, k: string) => (v === null ? '' : v instanceof Date ? (k === 'customer_since' ? v.toISOString().slice(0, 10) : v.toISOString()) : String(v));
	const slow = (c: (typeof rows)[number]) => ({ ...c, resolved_at: new Date((c.created_at as Date).getTime() + days * 24 * 3600_000) });
	return f.file('slower.csv', `${columns.join(',')}\n${rows.map((c) => columns.map((k) => cell(slow(c)[k], k)).join(',')).join('\n')}\n`);
}

describe('an import keeps the derived tables current', () => {
	test('at its commit every table built before is current, as a rebuild from scratch would make it, and readers rebuild nothing', async () => {
		const before = await contents();
		const summary = await f.ingest(await slowerCases(30), { kind: 'cases', beforeCommit: keeping });
		// The tables' locks were let go after the commit (their queues empty within a turn of the event loop).
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(pendingLocks()).toBe(0);
		expect(summary.accepted).toBe(3);
		expect(summary.timings_ms.views).toBeGreaterThanOrEqual(0);
		const kept = await state();
		for (const table of ['speed_clock', 'auto_check_results', 'fairness_cases', 'consistency_counts', 'documents_comments', 'case_flags']) expect(kept[table], table).toBe(summary.batch_id);
		// The term table of comments reads answers only, the threads' facts messages only: a cases import leaves them as they were.
		expect(kept.comments).toBeLessThan(Number(summary.batch_id));
		expect(kept.thread_facts).toBeLessThan(Number(summary.batch_id));
		// Friction on case subjects was never opened: it is left to its first reader.
		expect(kept.subjects).toBeUndefined();
		expect(kept.documents_subjects).toBeUndefined();
		expect(await readersRebuild()).toEqual({ speed_clock: false, thread_facts: false, auto_check_results: false, fairness_cases: false, consistency_counts: false, comments: false, documents_comments: false, case_flags: false });
		const afterImport = await contents();
		expect(afterImport.fairness_cases).not.toBe(before.fairness_cases);
		await sql`DELETE FROM derived_table_state`.execute(f.db);
		expect(Object.values(await readersRebuild()).every(Boolean)).toBe(true);
		expect(await contents()).toEqual(afterImport);
	});

	test('an import moves only the tables that read its kind of rows: messages the checks, answers the tables that join them', async () => {
		const [before, kept] = [await contents(), await state()];
		const { rows } = await sql<{ case_id: string; created_at: Date }>`SELECT case_id, created_at FROM cases ORDER BY case_id LIMIT 2`.execute(f.db);
		const at = (c: (typeof rows)[number], hours: number) => new Date(c.created_at.getTime() + hours * 3600_000).toISOString();
		const messages = await f.file(
			'thread.csv',
			['case_id,sequence,sent_at,author_role,author_name,public,body', ...rows.flatMap((c) => [`${c.case_id},1,${at(c, 1)},customer,Ann,true,Where is my refund?`, `${c.case_id},2,${at(c, 300)},agent,a1,true,It is on its way`])].join('\n') + '\n'
		);
		const replyVerdict = async (id: string) => (await sql<{ ok: boolean | null }>`SELECT reply_within_target AS ok FROM auto_check_results WHERE case_id = ${id}`.execute(f.db)).rows[0]?.ok;
		// The demo's thread of the case was answered in time; the new one is answered after 12 days.
		expect(await replyVerdict(rows[0].case_id)).toBe(true);
		// A case without a new thread keeps its row as it was (a messages import judges only its threads' cases).
		const untouched = sql<{ r: bigint }>`SELECT rowid AS r FROM auto_check_results WHERE case_id = (SELECT max(case_id) FROM cases)`;
		const untouchedBefore = (await untouched.execute(f.db)).rows;
		const thread = await importMessages(f.db, { path: messages, importedBy: 'test', source: 'api', archiveDir: join(f.dir, 'archive'), maxBytes: 50 * MiB, beforeCommit: keeping });
		expect(thread.accepted).toBe(4);
		const afterThread = await state();
		expect(afterThread.auto_check_results).toBe(thread.batch_id);
		expect(afterThread.thread_facts).toBe(thread.batch_id);
		expect((await untouched.execute(f.db)).rows).toEqual(untouchedBefore);
		expect(await replyVerdict(rows[0].case_id)).toBe(false);
		// Nothing else reads messages: their states still name the last cases import.
		for (const table of ['speed_clock', 'fairness_cases', 'consistency_counts', 'comments', 'documents_comments', 'case_flags']) expect(afterThread[table], table).toBe(kept[table]);
		// A new poor rating for the first case, and a good rating that was the only one of its case
		// re-imported as the second case's (poor): the case that lost it is in no row of the import.
		const csatVerdict = async (id: string) => (await sql<{ ok: boolean | null }>`SELECT csat_4_or_5 AS ok FROM auto_check_results WHERE case_id = ${id}`.execute(f.db)).rows[0]?.ok;
		const lone = (
			await sql<{ feedback_id: string; case_id: string }>`SELECT f.feedback_id, f.case_id FROM feedback f
				WHERE f.csat >= 4 AND f.case_id NOT IN (${rows[0].case_id}, ${rows[1].case_id}) AND (SELECT count(*) FROM feedback g WHERE g.case_id = f.case_id AND g.csat IS NOT NULL) = 1
				ORDER BY f.feedback_id LIMIT 1`.execute(f.db)
		).rows[0];
		expect(await csatVerdict(lone.case_id)).toBe(true);
		const later = (c: (typeof rows)[number]) => at(c, 24 * 400);
		const answers = await f.file(
			'answers.csv',
			`feedback_id,case_id,submitted_at,kind,csat,comment\nK1,${rows[0].case_id},${later(rows[0])},survey,1,Refund never arrived and nobody answered\n${lone.feedback_id},${rows[1].case_id},${later(rows[1])},survey,1,Still waiting\n`
		);
		const survey = await f.ingest(answers, { kind: 'feedback', beforeCommit: keeping });
		expect(survey.accepted).toBe(2);
		expect([await csatVerdict(rows[0].case_id), await csatVerdict(rows[1].case_id), await csatVerdict(lone.case_id)]).toEqual([false, false, null]);
		const afterSurvey = await state();
		for (const table of ['auto_check_results', 'fairness_cases', 'comments', 'documents_comments']) expect(afterSurvey[table], table).toBe(survey.batch_id);
		for (const table of ['speed_clock', 'consistency_counts', 'case_flags']) expect(afterSurvey[table], table).toBe(kept[table]);
		expect(afterSurvey.thread_facts).toBe(thread.batch_id);
		const afterImports = await contents();
		// The thread's late reply is what the checks now judge.
		expect(await replyVerdict(rows[0].case_id)).toBe(false);
		expect(afterImports.fairness_cases).not.toBe(before.fairness_cases);
		expect(afterImports.speed_clock).toBe(before.speed_clock);
		// Readers find every table current, and every table is what a rebuild from scratch makes.
		expect(Object.values(await readersRebuild()).some(Boolean)).toBe(false);
		// The verdicts read from the threads' kept facts are those of walking every message.
		const ctx = await checkContext(f.db);
		const threadChecks = ['reply_within_target', 'internal_notes_private'] as const;
		const walked = (await (await perCaseChecksSql(f.db, ctx, threadChecks, sql`true`)).execute(f.db)).rows;
		const verdicts = new Map(walked.map((r) => [r.case_id, [r.reply_within_target, r.internal_notes_private]]));
		const { rows: keptVerdicts } = await sql<{ case_id: string; reply_within_target: boolean | null; internal_notes_private: boolean | null }>`
			SELECT case_id, reply_within_target, internal_notes_private FROM auto_check_results`.execute(f.db);
		expect(keptVerdicts.length).toBe(verdicts.size);
		// Passed, failed and not applicable all occur among the replies; notes are private or absent.
		expect(new Set(keptVerdicts.map((r) => r.reply_within_target))).toEqual(new Set([true, false, null]));
		expect(new Set(keptVerdicts.map((r) => r.internal_notes_private))).toEqual(new Set([true, null]));
		for (const r of keptVerdicts) expect([r.reply_within_target, r.internal_notes_private], r.case_id).toEqual(verdicts.get(r.case_id));
		await sql`DELETE FROM derived_table_state`.execute(f.db);
		expect(Object.values(await readersRebuild()).every(Boolean)).toBe(true);
		expect(await contents()).toEqual(afterImports);
	});

	test('a reader storing a fact about the archive while the import runs does not make the import fail', async () => {
		const readerMeanwhile = async (trx: Parameters<typeof keepDerivedTables>[0]) => {
			// A reader after the import began (another process-wide handle, so nothing is remembered in
			// memory), outside its transaction, finds the snapshot it keeps out of date and replaces it.
			const reader = new Kysely<Database>({ dialect: new DuckDBDialect({ instance: f.open.instance }) });
			try {
				await sql`UPDATE kept_facts SET version = 'older' WHERE name = 'snapshot'`.execute(reader);
				expect(await snapshotTime(reader)).not.toBeNull();
				expect((await sql<{ version: string }>`SELECT version FROM kept_facts WHERE name = 'snapshot'`.execute(reader)).rows[0].version).not.toBe('older');
			} finally {
				await reader.destroy();
			}
			return keeping(trx);
		};
		const summary = await f.ingest(await slowerCases(20), { kind: 'cases', beforeCommit: readerMeanwhile });
		expect(summary.status).toBe('committed');
		expect(Object.values(await readersRebuild()).some(Boolean)).toBe(false);
	});

	test('a table a reader rebuilt while the import loaded is left to its next reader, and the import commits', async () => {
		const readerRebuilds = async (trx: Kysely<Database>) => {
			// The Speed clock was behind for another reason: a reader rebuilt it after the import began.
			await sql`DELETE FROM derived_table_state WHERE source = 'speed_clock'`.execute(f.db);
			const { policy } = await currentPolicy(f.db);
			expect(await keepSpeedClock(f.db, policy, await snapshotTime(f.db))).toBe(true);
			return keeping(trx);
		};
		const summary = await f.ingest(await slowerCases(25), { kind: 'cases', beforeCommit: readerRebuilds });
		expect(summary.status).toBe('committed');
		const rebuilt = await readersRebuild();
		expect(rebuilt).toEqual({ speed_clock: true, thread_facts: false, auto_check_results: false, fairness_cases: false, consistency_counts: false, comments: false, documents_comments: false, case_flags: false });
	});

	test('an import that fails while bringing them up to date leaves the archive and the tables as they were', async () => {
		const [cases, tables, kept] = [await sql<{ n: number; h: bigint }>`SELECT count(*) AS n, sum(hash(c)) AS h FROM cases c`.execute(f.db), await contents(), await state()];
		const failing = async (trx: Parameters<typeof keepDerivedTables>[0]): Promise<() => void> => {
			(await keeping(trx))();
			throw new Error('the machine ran out of memory');
		};
		await expect(f.ingest(await slowerCases(45), { kind: 'cases', beforeCommit: failing })).rejects.toThrow(/out of memory/);
		await new Promise((resolve) => setTimeout(resolve, 0));
		expect(pendingLocks()).toBe(0);
		expect((await sql<{ n: number; h: bigint }>`SELECT count(*) AS n, sum(hash(c)) AS h FROM cases c`.execute(f.db)).rows).toEqual(cases.rows);
		expect(await contents()).toEqual(tables);
		expect(await state()).toEqual(kept);
		const { rows } = await sql<{ status: string }>`SELECT status FROM import_batches ORDER BY batch_id DESC LIMIT 1`.execute(f.db);
		expect(rows[0].status).toBe('failed');
	});
});
