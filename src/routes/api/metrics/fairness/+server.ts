import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { fairnessReport } from '$lib/metrics/fairness/fairness.server';
import { fairnessOptions } from '$lib/metrics/fairness/fairness-options.server';

/** The Fairness page as JSON; `?dimension=` and `?measure=` keep only those rows (q-values stay those of the whole page). */
export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const options = fairnessOptions(url.searchParams);
	const report = await fairnessReport(db, { filters: options.filters });
	return json({ ...report, rows: report.rows.filter((r) => (!options.dimension || r.dimension === options.dimension) && (!options.measure || r.measure === options.measure)) });
};
