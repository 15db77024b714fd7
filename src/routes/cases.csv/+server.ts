import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';
import { CASE_CSV_COLUMNS, caseCsvName, caseQueryFromParams, streamCases } from '$lib/cases/case-list.server';

export const GET: RequestHandler = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const query = caseQueryFromParams(url.searchParams);
	const role = locals.user?.role ?? 'viewer';
	// Started before the response: a search a role may not make, or a breach of a target the policy
	// no longer sets (case-list.server.ts), answers 400, not a cut stream.
	const rows = streamCases(db, query, role);
	const first = await rows.next();
	async function* all() {
		if (!first.done) yield first.value;
		yield* rows;
	}
	return csvResponse(caseCsvName(query), [...CASE_CSV_COLUMNS], all());
};
