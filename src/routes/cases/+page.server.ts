import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { caseQueryFromParams, describeCaseQuery, listCases } from '$lib/cases/case-list.server';
import { DEFAULT_VIEW } from '$lib/cases/model';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const query = caseQueryFromParams(url.searchParams);
	const page = Math.max(1, Math.floor(Number(url.searchParams.get('page'))) || 1);
	const role = locals.user?.role ?? 'viewer';
	const { today, bar } = await filterContext(db, query.filters, role);
	const result = await listCases(db, query, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }, role, today);
	return { ...result, view: query.view ?? DEFAULT_VIEW, filters: query.filters, page, pageSize: PAGE_SIZE, description: describeCaseQuery(query, today), bar };
};
