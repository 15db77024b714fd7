import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csatReport } from '$lib/metrics/csat/csat.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await csatReport(db, metricOptions(url.searchParams)));
};
