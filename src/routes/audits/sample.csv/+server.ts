import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';
import { sampleCases } from '$lib/audits/sampling.server';
import { idFrom } from '$lib/audits/route-helpers.server';

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
