import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { complianceReport } from '$lib/server/metrics/compliance';
import { metricOptions } from '$lib/server/metrics/request-options';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	return json(await complianceReport(db, { filters: options.filters, by: options.by }));
};
