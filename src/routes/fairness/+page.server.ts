import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { fairnessReport } from '$lib/metrics/fairness/fairness.server';
import { fairnessOptions } from '$lib/metrics/fairness/fairness-options.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = fairnessOptions(url.searchParams);
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const report = await fairnessReport(db, { filters: options.filters, today });
	return { options: { ...options, measure: options.measure ?? 'favourable_rate' }, report, bar };
};
