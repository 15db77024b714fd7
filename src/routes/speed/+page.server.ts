import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { metricOptions } from '$lib/metrics/filters/request-options.server';
import { speedReport } from '$lib/metrics/speed/speed.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const options = metricOptions(url.searchParams);
	const { today, bar } = await filterContext(db, options.filters, locals.user?.role);
	// The other measure only fills its headline card, so only its headline is computed (a small
	// grouped count, started beside the measure on screen) and it streams in after the page
	// (SvelteKit streams a promise in the returned data).
	const other = options.measure === 'resolution' ? 'first_response' : 'resolution';
	const streamed = speedReport(db, { ...options, measure: other, today, headline: true });
	// Its failure is the card's to show ({:catch}), not this load's.
	streamed.catch(() => {});
	const shown = await speedReport(db, { ...options, today });
	return other === 'resolution' ? { options, bar, firstResponse: shown, resolution: streamed } : { options, bar, firstResponse: streamed, resolution: shown };
};
