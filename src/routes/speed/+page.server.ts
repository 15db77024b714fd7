import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { dimensionValues } from '$lib/server/metrics/dimension-values';
import { metricOptions } from '$lib/server/metrics/request-options';
import { speedReport } from '$lib/server/metrics/speed';

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
