import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csatReport } from '$lib/metrics/csat/csat.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const [report, values] = await Promise.all([csatReport(db, options), dimensionValues(db)]);
	return { options, report, values };
};
