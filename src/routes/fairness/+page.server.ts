import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { dimensionValues } from '$lib/server/metrics/dimension-values';
import { fairnessReport } from '$lib/server/metrics/fairness';
import { fairnessOptions } from '$lib/server/metrics/fairness-options';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = fairnessOptions(url.searchParams);
	const [report, values] = await Promise.all([fairnessReport(db, { filters: options.filters }), dimensionValues(db)]);
	return { options: { ...options, measure: options.measure ?? 'favourable_rate' }, report, values };
};
