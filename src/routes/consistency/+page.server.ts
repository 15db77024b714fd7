import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { consistencyReport } from '$lib/server/metrics/consistency';
import { dimensionValues } from '$lib/server/metrics/dimension-values';
import { consistencyOptions } from '$lib/server/metrics/fairness-options';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = consistencyOptions(url.searchParams);
	const by = options.by ?? 'team';
	const [report, values] = await Promise.all([consistencyReport(db, { filters: options.filters }), dimensionValues(db)]);
	// The heatmap shows one dimension; flags, indexes and tests of all four stay on the page.
	const rows = report.rows.filter((r) => r.dimension === by || r.flagged);
	return { options: { ...options, by }, report: { ...report, rows, standard_resolution: report.standard_resolution.filter((s) => s.dimension === by) }, values };
};
