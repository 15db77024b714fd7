import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { consistencyReport } from '$lib/metrics/consistency/consistency.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { consistencyOptions } from '$lib/metrics/fairness/fairness-options.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = consistencyOptions(url.searchParams);
	const by = options.by ?? 'team';
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const report = await consistencyReport(db, { filters: options.filters, today });
	// The heatmap shows one dimension; flags, indexes and tests of all four stay on the page.
	const rows = report.rows.filter((r) => r.dimension === by || r.flagged);
	return { options: { ...options, by }, report: { ...report, rows, standard_resolution: report.standard_resolution.filter((s) => s.dimension === by) }, bar };
};
