import type { PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { getDatabase } from '$lib/core/db/database.server';
import { frictionOptions, frictionPageReport, frictionReport } from '$lib/friction/report.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { resolveToday } from '$lib/metrics/filters/period.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = frictionOptions(url.searchParams);
	// The report counts back from the same day as the filter bar, without waiting for the bar's choices.
	const now = new Date();
	const [{ bar }, report] = await Promise.all([
		filterContext(db, options.filters, locals.user?.role, now),
		resolveToday(db, options.filters, now).then((today) => frictionReport(db, options, today))
	]);
	return { options, report: frictionPageReport(report), bar, canWrite: canWriteFriction(locals.user?.role) };
};
