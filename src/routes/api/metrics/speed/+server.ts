import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';
import { speedReport } from '$lib/metrics/speed/speed.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await speedReport(db, metricOptions(url.searchParams)));
};
