import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';
import { fairnessReport } from '$lib/metrics/fairness/fairness.server';
import { fairnessOptions } from '$lib/metrics/fairness/fairness-options.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = fairnessOptions(url.searchParams);
	const [report, values] = await Promise.all([fairnessReport(db, { filters: options.filters }), dimensionValues(db)]);
	return { options: { ...options, measure: options.measure ?? 'favourable_rate' }, report, values };
};
