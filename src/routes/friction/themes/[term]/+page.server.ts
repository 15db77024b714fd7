import type { PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { filtersToParams } from '$lib/metrics/filters/model';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionReport } from '$lib/friction/report.server';
import { themeDocuments } from '$lib/friction/theme-documents.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ params, url, locals }) => {
	const { db } = await getDatabase();
	const options = frictionOptions(url.searchParams);
	const term = params.term.slice(0, 200);
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const role = locals.user?.role ?? 'viewer';
	const { today, bar } = await filterContext(db, options.filters, role);
	// The page's report (cached), so a theme's q-value and rising flag are the ones the Friction page shows.
	const [report, documents] = await Promise.all([
		frictionReport(db, options, today),
		themeDocuments(db, { filters: options.filters, source: options.source, term, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, role, today })
	]);
	const theme = report.themes.find((t) => t.key === term) ?? report.themes.find((t) => t.terms.includes(term)) ?? null;
	const scope = filtersToParams({ ...options.filters, range: 'all', from: undefined, to: undefined }).toString();
	return { term, theme, period: report.period, documents, page, pageSize: PAGE_SIZE, options, scope, bar, canWrite: canWriteFriction(role) };
};
