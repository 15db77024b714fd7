import type { PageServerLoad } from './$types';
import { can } from '$lib/core/auth/access-rules';
import { getDatabase } from '$lib/core/db/database.server';
import { getOverview } from '$lib/overview/overview.server';
import { listBatches } from '$lib/imports/batches.server';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	// The last batches name files, archive paths and who imported: only for the roles that may
	// open the import history (the page data goes to the browser whole, shown or not).
	const seesImports = can(locals.user?.role, 'imports.history');
	const [overview, recent] = await Promise.all([getOverview(db), seesImports ? listBatches(db, 5) : Promise.resolve([])]);
	return { overview, recent };
};
