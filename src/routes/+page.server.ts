import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { getOverview } from '$lib/overview/overview.server';
import { listBatches } from '$lib/imports/batches.server';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	const [overview, recent] = await Promise.all([getOverview(db), listBatches(db, 5)]);
	return { overview, recent };
};
