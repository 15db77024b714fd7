import type { PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionReport } from '$lib/friction/report.server';
import { dimensionValues } from '$lib/metrics/filters/dimension-values.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = frictionOptions(url.searchParams);
	const [report, values] = await Promise.all([frictionReport(db, options), dimensionValues(db)]);
	return { options, report, values, canWrite: canWriteFriction(locals.user?.role) };
};
