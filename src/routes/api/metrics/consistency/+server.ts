import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { consistencyReport } from '$lib/metrics/consistency/consistency.server';
import { consistencyOptions } from '$lib/metrics/fairness/fairness-options.server';

/** The Consistency page as JSON; `?by=team` keeps only that dimension's rows (q-values stay those of the whole page). */
export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const options = consistencyOptions(url.searchParams);
	const report = await consistencyReport(db, { filters: options.filters });
	if (!options.by) return json(report);
	return json({ ...report, rows: report.rows.filter((r) => r.dimension === options.by), tests: report.tests.filter((t) => t.dimension === options.by), standard_resolution: report.standard_resolution.filter((s) => s.dimension === options.by) });
};
