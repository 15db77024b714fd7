import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { frictionOptions, frictionReport } from '$lib/server/friction/report';

export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	return json(await frictionReport(db, frictionOptions(url.searchParams)));
};
