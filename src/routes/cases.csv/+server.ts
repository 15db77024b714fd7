import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { csvResponse } from '$lib/server/csv-response';
import { CASE_LIST_COLUMNS, caseQueryFromParams, streamCases } from '$lib/server/metrics/case-list';

export const GET: RequestHandler = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const query = caseQueryFromParams(url.searchParams);
	return csvResponse(`cases${query.rule ? `-${query.rule}` : ''}.csv`, [...CASE_LIST_COLUMNS], streamCases(db, query, locals.user?.role ?? 'viewer'));
};
