import { failWith } from '$lib/core/http-errors.server';
import { AuditError } from '$lib/audits/audit-error';
import { redirect } from '@sveltejs/kit';
import { sql } from 'kysely';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { parseFilters } from '$lib/metrics/filters/model';
import { parseSampleRequest } from '$lib/audits/sample-request';
import { caseFilterSql } from '$lib/metrics/filters/case-filter-sql.server';
import { filterContext } from '$lib/metrics/filters/filter-bar.server';
import { drawAuditSample } from '$lib/audits/sampling.server';
import { attempt, currentUser } from '$lib/audits/route-helpers.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const filters = parseFilters(url.searchParams);
	const { today, bar } = await filterContext(db, filters, locals.user?.role);
	const count = await sql<{ n: number }>`SELECT count(*) AS n FROM cases c WHERE ${caseFilterSql(filters, today)}`.execute(db);
	return { filters, bar, population: count.rows[0].n };
};

export const actions: Actions = {
	draw: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const params = new URLSearchParams();
		for (const [key, value] of form.entries()) if (typeof value === 'string') params.append(key, value);
		const { request: sampleRequest, errors } = parseSampleRequest(params);
		const values = Object.fromEntries(params);
		if (!sampleRequest) return failWith(new AuditError(400, `The sample was not drawn: ${errors.length === 1 ? 'one field needs' : `${errors.length} fields need`} a change.`, 'Correct the fields listed and draw again.'), { errors, values });
		const { db } = await getDatabase();
		const result = await attempt(() => drawAuditSample(db, sampleRequest, user.username));
		if (!result.ok) return failWith(result.refusal, { errors: [] as string[], values });
		redirect(303, `/audits/sample?id=${result.value.sample_id}`);
	}
};
