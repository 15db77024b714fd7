import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';
import { CASE_LIST_COLUMNS, caseQueryFromParams, streamCases } from '$lib/cases/case-list.server';

export const GET: RequestHandler = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const query = caseQueryFromParams(url.searchParams);
	return csvResponse(`cases${query.rule ? `-${query.rule}` : ''}.csv`, [...CASE_LIST_COLUMNS], streamCases(db, query, locals.user?.role ?? 'viewer'));
};
