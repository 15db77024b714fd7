import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';
import { speedReport } from '$lib/metrics/speed/speed.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const [firstResponse, resolution, values] = await Promise.all([
		speedReport(db, { ...options, measure: 'first_response' }),
		speedReport(db, { ...options, measure: 'resolution' }),
		dimensionValues(db)
	]);
	return { options, firstResponse, resolution, values };
};
