import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { consistencyReport } from '$lib/metrics/consistency/consistency.server';
import { HEATMAP_GROUPS_PER_PAGE } from '$lib/metrics/consistency/model';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { consistencyOptions } from '$lib/metrics/fairness/fairness-options.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = consistencyOptions(url.searchParams);
	const by = options.by ?? 'team';
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const report = await consistencyReport(db, { filters: options.filters, today });
	// The heatmap shows one dimension, a page of its groups at a time (sixty agents are wider than
	// any screen and were a megabyte of page at 1,000,000 cases); flags, indexes and tests of all
	// four dimensions stay on the page.
	const all = [...new Set(report.rows.filter((r) => r.dimension === by).map((r) => r.group))].sort();
	const pages = Math.max(1, Math.ceil(all.length / HEATMAP_GROUPS_PER_PAGE));
	const asked = Number.parseInt(url.searchParams.get('gpage') ?? '1', 10);
	const current = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), pages) : 1;
	const groups = all.slice((current - 1) * HEATMAP_GROUPS_PER_PAGE, current * HEATMAP_GROUPS_PER_PAGE);
	const shown = new Set(groups);
	// A cell that is not flagged is a number and a tooltip: its sentence, details and outcome counts
	// are only read for flags, so they stay on the server. The JSON endpoint and the CLI keep them all.
	const rows = report.rows
		.filter((r) => (r.dimension === by && shown.has(r.group)) || r.flagged)
		.map((r) => (r.flagged ? r : { ...r, sentence: '', details: '', outcomes: {} }));
	const index = { ...report.index, groups: report.index.groups.filter((g) => g.dimension === by && g.group !== null && shown.has(g.group)) };
	return {
		options: { ...options, by },
		report: { ...report, rows, index, standard_resolution: report.standard_resolution.filter((s) => s.dimension === by) },
		heatmap: { groups, page: current, pages, total: all.length },
		bar
	};
};
