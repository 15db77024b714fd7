import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { consistencyReport } from '$lib/metrics/consistency/consistency.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';
import { consistencyOptions } from '$lib/metrics/fairness/fairness-options.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = consistencyOptions(url.searchParams);
	const by = options.by ?? 'team';
	const [report, values] = await Promise.all([consistencyReport(db, { filters: options.filters }), dimensionValues(db)]);
	// The heatmap shows one dimension; flags, indexes and tests of all four stay on the page.
	const rows = report.rows.filter((r) => r.dimension === by || r.flagged);
	return { options: { ...options, by }, report: { ...report, rows, standard_resolution: report.standard_resolution.filter((s) => s.dimension === by) }, values };
};
