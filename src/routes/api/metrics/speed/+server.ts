import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { metricOptions } from '$lib/server/metrics/request-options';
import { speedReport } from '$lib/server/metrics/speed';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await speedReport(db, metricOptions(url.searchParams)));
};
