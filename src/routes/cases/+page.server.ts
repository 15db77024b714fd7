import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { caseQueryFromParams, describeCaseQuery, listCases } from '$lib/cases/case-list.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const query = caseQueryFromParams(url.searchParams);
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const [result, values] = await Promise.all([listCases(db, query, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }, locals.user?.role ?? 'viewer'), dimensionValues(db)]);
	return { ...result, filters: query.filters, page, pageSize: PAGE_SIZE, description: describeCaseQuery(query, new Date()), values };
};
