import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { csatReport } from '$lib/server/metrics/csat';
import { metricOptions } from '$lib/server/metrics/request-options';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await csatReport(db, metricOptions(url.searchParams)));
};
