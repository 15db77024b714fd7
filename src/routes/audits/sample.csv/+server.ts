import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { csvResponse } from '$lib/server/csv-response';
import { sampleCases } from '$lib/server/audits/sampling';
import { idFrom } from '$lib/server/audits/route-helpers';

/** One sample's cases (?id=N), or every sampled case, with stratum, inclusion probability and weight. */
export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const id = idFrom(url.searchParams.get('id'));
	const rows = await sampleCases(db, id);
	async function* iterate() {
		yield* rows;
	}
	return csvResponse(
		id ? `audit-sample-${id}.csv` : 'audit-samples.csv',
		['sample_id', 'draw_order', 'case_id', 'stratum', 'inclusion_probability', 'weight', 'risk_size', 'risk_flags', 'region', 'team', 'agent_id', 'category', 'created_at', 'assignee', 'review_id', 'status', 'score'],
		iterate()
	);
};
