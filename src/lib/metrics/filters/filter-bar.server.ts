import { sql, type Kysely } from 'kysely';
import { can } from '../../core/auth/access-rules';
import type { Role } from '../../core/auth/roles';
import type { Database } from '../../core/db/schema';
import { formatCount, formatDate } from '../../core/format';
import { keptByData } from './data-version.server';
import { dimensionValues } from './dimension-values.server';
import type { BatchChoice, FilterBarData, Filters } from './model';
import { resolveToday } from './period.server';
import { snapshotTime } from './snapshot.server';

const MAX_BATCHES = 200;

interface BatchFact {
	batch_id: number;
	kind: string;
	file_name: string;
	accepted: number;
	finished_at: Date | null;
}

/** Imports of cases and feedback: a messages import (src/lib/conversations) filters no metric. */
function committedBatches(db: Kysely<Database>): Promise<BatchFact[]> {
	return keptByData(db, 'batch-choices', async () => {
		const { rows } = await sql<BatchFact>`
			SELECT batch_id, kind, file_name, accepted, finished_at FROM import_batches
			WHERE status = 'committed' AND accepted > 0 AND kind IN ('cases', 'feedback') ORDER BY batch_id DESC LIMIT ${MAX_BATCHES}`.execute(db);
		return rows;
	});
}

/**
 * The imports the filter bar offers. Roles that may open the import history see the file name,
 * rows and date; the others only the number and kind: the page data reaches the browser whole,
 * so a file name must not be in it at all (access-rules.ts, 'imports.history').
 */
export async function batchChoices(db: Kysely<Database>, role: Role | undefined): Promise<BatchChoice[]> {
	const batches = await committedBatches(db);
	const full = can(role, 'imports.history');
	return batches.map((b) => ({
		id: b.batch_id,
		label: full ? `#${b.batch_id} · ${b.file_name} · ${formatCount(b.accepted)} ${b.kind === 'cases' ? 'cases' : 'answers'} · ${formatDate(b.finished_at)}` : `import #${b.batch_id} (${b.kind})`
	}));
}

/**
 * What a page with the filter bar needs, resolved once per request: `today`, the day the presets
 * count back from (pass it to the features), and the bar's choices and anchors.
 */
export async function filterContext(db: Kysely<Database>, filters: Filters, role: Role | undefined, now = new Date()): Promise<{ today: Date; bar: FilterBarData }> {
	const [values, batches, snapshot, today] = await Promise.all([dimensionValues(db), batchChoices(db, role), snapshotTime(db), resolveToday(db, filters, now)]);
	return { today, bar: { values, batches, archive_end: snapshot ? formatDate(snapshot) : null, wall_today: formatDate(now) } };
}
