import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionReport } from '$lib/friction/report.server';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await frictionReport(db, frictionOptions(url.searchParams)));
};
