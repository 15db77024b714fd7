import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { complianceReport } from '$lib/metrics/compliance/compliance.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	return json(await complianceReport(db, { filters: options.filters, by: options.by }));
};
