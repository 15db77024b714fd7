import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';
import { speedReport } from '$lib/metrics/speed/speed.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const [firstResponse, resolution] = await Promise.all([speedReport(db, { ...options, measure: 'first_response', today }), speedReport(db, { ...options, measure: 'resolution', today })]);
	return { options, firstResponse, resolution, bar };
};
