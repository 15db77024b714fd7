import type { PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { getDatabase } from '$lib/server/db/database';
import { frictionOptions, frictionReport } from '$lib/server/friction/report';
import { dimensionValues } from '$lib/server/metrics/dimension-values';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = frictionOptions(url.searchParams);
	const [report, values] = await Promise.all([frictionReport(db, options), dimensionValues(db)]);
	return { options, report, values, canWrite: canWriteFriction(locals.user?.role) };
};
