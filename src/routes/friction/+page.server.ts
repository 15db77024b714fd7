import type { PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionReport } from '$lib/friction/report.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = frictionOptions(url.searchParams);
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	const report = await frictionReport(db, options, today);
	return { options, report, bar, canWrite: canWriteFriction(locals.user?.role) };
};
