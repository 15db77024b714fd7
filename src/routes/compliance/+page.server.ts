import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { complianceReport } from '$lib/metrics/compliance/compliance.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const [report, values] = await Promise.all([complianceReport(db, { filters: options.filters, by: options.by }), dimensionValues(db)]);
	return { options, report, values };
};
