import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { caseFindings } from '$lib/cases/case-findings.server';
import { getCaseDetail } from '$lib/cases/case-detail.server';

export const load: PageServerLoad = async ({ params, locals }) => {
	const { db } = await getDatabase();
	const [detail, findings] = await Promise.all([getCaseDetail(db, params.id, locals.user?.role ?? 'viewer'), caseFindings(db, params.id)]);
	if (!detail) error(404, { message: `There is no case "${params.id}".` });
	return { ...detail, findings };
};
