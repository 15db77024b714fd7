import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { complianceReport } from '$lib/metrics/compliance/compliance.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const report = await complianceReport(db, { filters: options.filters, by: options.by, today });
	return { options, report, bar };
};
