import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { caseFindings } from '$lib/server/metrics/case-findings';
import { getCaseDetail } from '$lib/server/services/case-detail';

export const load: PageServerLoad = async ({ params, locals }) => {
	const { db } = await getDatabase();
	const [detail, findings] = await Promise.all([getCaseDetail(db, params.id, locals.user?.role ?? 'viewer'), caseFindings(db, params.id)]);
	if (!detail) error(404, { message: `There is no case "${params.id}".` });
	return { ...detail, findings };
};
