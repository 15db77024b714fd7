import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { parseFilters } from '$lib/metrics/filters/model';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { AUTO_CHECK_DIMENSIONS, isAutoCheckId, type AutoCheckDimension } from '$lib/audits/auto-checks/model';
import { autoCheckReport } from '$lib/audits/auto-checks/report.server';
import { autoCheckAgreement, autoCheckDisagreements } from '$lib/audits/auto-checks/agreement.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const filters = parseFilters(url.searchParams);
	const byParam = url.searchParams.get('by') ?? '';
	const by: AutoCheckDimension = (AUTO_CHECK_DIMENSIONS as readonly string[]).includes(byParam) ? (byParam as AutoCheckDimension) : 'team';
	const show = url.searchParams.get('show');
	const item = url.searchParams.get('item');
	const check = url.searchParams.get('check');
	const { today, bar } = await filterContext(db, filters, locals.user?.role);
	const [report, agreement, disagreements] = await Promise.all([
		autoCheckReport(db, { filters, by, today }),
		autoCheckAgreement(db, { filters, today }),
		item && isAutoCheckId(check) ? autoCheckDisagreements(db, { filters, today, item, check }) : Promise.resolve(null)
	]);
	return { filters, bar, report, agreement, show: isAutoCheckId(show) ? show : null, selected: item && isAutoCheckId(check) ? { item, check } : null, disagreements };
};
