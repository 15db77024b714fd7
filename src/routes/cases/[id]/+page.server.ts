import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { caseFindings } from '$lib/cases/case-findings.server';
import { getCaseDetail } from '$lib/cases/case-detail.server';
import { caseThread } from '$lib/conversations/thread.server';

export const load: PageServerLoad = async ({ params, locals }) => {
	const { db } = await getDatabase();
	const role = locals.user?.role ?? 'viewer';
	const [detail, findings, thread] = await Promise.all([getCaseDetail(db, params.id, role), caseFindings(db, params.id), caseThread(db, params.id, role)]);
	if (!detail) error(404, { message: `There is no case "${params.id}".` });
	return { ...detail, findings, thread };
};
