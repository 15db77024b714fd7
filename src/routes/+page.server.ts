import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { getOverview } from '$lib/server/services/overview';
import { listBatches } from '$lib/server/services/imports';

export const load: PageServerLoad = async () => {
	const { db } = await getDatabase();
	const [overview, recent] = await Promise.all([getOverview(db), listBatches(db, 5)]);
	return { overview, recent };
};
