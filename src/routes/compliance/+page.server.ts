import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { complianceReport } from '$lib/server/metrics/compliance';
import { dimensionValues } from '$lib/server/metrics/dimension-values';
import { metricOptions } from '$lib/server/metrics/request-options';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const [report, values] = await Promise.all([complianceReport(db, { filters: options.filters, by: options.by }), dimensionValues(db)]);
	return { options, report, values };
};
