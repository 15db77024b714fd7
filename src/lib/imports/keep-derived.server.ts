import { sql, type Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { derivedTableLock } from '../core/db/derived-tables.server';
import { holdLocks } from '../core/keyed-lock';
import { currentPolicy } from '../core/policy/policy.server';
import { snapshotTime } from '../metrics/filters/snapshot.server';
import { keepSpeedClock } from '../metrics/speed/speed.server';
import { keepFairnessCases } from '../metrics/fairness/fairness-cases.server';
import { keepConsistencyCounts } from '../metrics/consistency/consistency-counts.server';
import { keepComplianceCounts } from '../metrics/compliance/compliance-counts.server';
import { compliancePolicy } from '../metrics/compliance/compliance-rules.server';
import { keepCsatCounts } from '../metrics/csat/csat-counts.server';
import { fairnessSettings } from '../metrics/fairness/fairness-groups.server';
import { keepCheckResults } from '../audits/auto-checks/check-results.server';
import { checkContext } from '../audits/auto-checks/checks-sql.server';
import { frictionSettings } from '../friction/friction-config.server';
import { THEME_SOURCES } from '../friction/documents-sql.server';
import { ensureTermTable } from '../friction/term-table.server';
import { ensureDocumentTable } from '../friction/document-table.server';
import { ensureCaseFlags } from '../friction/structural.server';
import { keepThemeReport } from '../friction/theme-report-table.server';

/**
 * The tables kept per import (src/lib/core/db/derived-tables.server.ts), brought up to date by the
 * server's imports inside their own transaction, before it commits: the first readers after an
 * import then find them current instead of waiting for a rebuild (at 1,000,000 cases each takes
 * 1-2 s, which was the p99 of the pages read during an import). Each entry names the tables it
 * keeps (their derived_table_state names) and is run only when one of them has been built before:
 * a view nobody opened (Friction on case subjects, say) stays built on first use.
 */
const KEEPERS: { tables: string[]; keep: (trx: Kysely<Database>) => Promise<unknown> }[] = [
	{
		tables: ['speed_clock'],
		keep: async (trx) => keepSpeedClock(trx, (await currentPolicy(trx)).policy, await snapshotTime(trx))
	},
	{ tables: ['auto_check_results', 'thread_facts'], keep: async (trx) => keepCheckResults(trx, await checkContext(trx)) },
	{ tables: ['fairness_cases'], keep: async (trx) => keepFairnessCases(trx, fairnessSettings((await currentPolicy(trx)).policy)) },
	{ tables: ['consistency_counts'], keep: (trx) => keepConsistencyCounts(trx) },
	{ tables: ['csat_counts'], keep: (trx) => keepCsatCounts(trx) },
	{
		tables: ['compliance_counts'],
		keep: async (trx) => {
			// Kept only for an archive with a snapshot (a case): the page counts an empty one itself.
			const snapshot = await snapshotTime(trx);
			return snapshot && keepComplianceCounts(trx, compliancePolicy((await currentPolicy(trx)).policy), snapshot);
		}
	},
	...THEME_SOURCES.map((source) => ({
		tables: [source, `documents_${source}`],
		keep: async (trx: Kysely<Database>) => {
			await ensureTermTable(trx, source, frictionSettings());
			await ensureDocumentTable(trx, source);
		}
	})),
	// After the term and document tables it reads.
	...THEME_SOURCES.map((source) => ({ tables: [`theme_report_${source}`], keep: (trx: Kysely<Database>) => keepThemeReport(trx, source) })),
	{ tables: ['case_flags'], keep: (trx) => ensureCaseFlags(trx, frictionSettings().repeat_contact_days) }
];

/** Each kept table's recorded state (derived_table_state) as `db` sees it. */
async function states(db: Kysely<Database>): Promise<Map<string, string>> {
	const { rows } = await sql<{ source: string; settings: string; batch_id: number; batches: number; built_at: Date }>`SELECT * FROM derived_table_state`.execute(db);
	return new Map(rows.map((r) => [r.source, JSON.stringify([r.settings, r.batch_id, r.batches, r.built_at])]));
}

/**
 * Inside an import's transaction (`trx`, on the process-wide `db`), after its batch is marked
 * committed: every kept table that was built before, brought up to date. It takes the tables' locks
 * first and answers the function that lets them go, for the caller to call once the transaction has
 * ended: a reader who finds a table behind for another reason (a policy edit) then waits for the
 * commit instead of rebuilding it in a transaction of its own. Readers whose tables are current
 * never take the lock, and nobody waits while the file loads.
 *
 * The import's transaction sees the tables' states as they were when it began. A reader may have
 * rebuilt one since, before the locks were taken; rewriting that table here would conflict with the
 * reader's commit and fail the whole import, so such a table is left to its next reader.
 */
export async function keepDerivedTables(trx: Kysely<Database>, db: Kysely<Database>): Promise<() => void> {
	const letGo = await holdLocks(KEEPERS.flatMap((k) => k.tables).map(derivedTableLock));
	try {
		const [seen, committed] = await Promise.all([states(trx), states(db)]);
		for (const keeper of KEEPERS) {
			if (!keeper.tables.some((t) => seen.has(t))) continue;
			if (keeper.tables.some((t) => seen.get(t) !== committed.get(t))) continue;
			await keeper.keep(trx);
		}
		return letGo;
	} catch (error) {
		letGo();
		throw error;
	}
}
