import { error, json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { isMetricName, METRIC_NAMES, METRICS } from '$lib/metrics/registry.server';

/** Each metric page as JSON, with the page's URL parameters (src/lib/metrics/registry.server.ts). */
export const GET: RequestHandler = async ({ params, url }) => {
	if (!isMetricName(params.metric)) error(404, `There is no metric "${params.metric}"; choose one of ${METRIC_NAMES.join(', ')}.`);
	const { db } = await getDatabase();
	return json(await METRICS[params.metric](db, url.searchParams));
};
