import { failWith } from '$lib/core/http-errors.server';
import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { assignSample, auditWorkers, getSample } from '$lib/audits/sampling.server';
import { attempt, badForm, currentUser, idFrom } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ url, locals }) => {
	const id = idFrom(url.searchParams.get('id'));
	if (id === null) redirect(303, '/audits');
	const { db } = await getDatabase();
	const [sample, workers] = await Promise.all([getSample(db, id), auditWorkers(db)]);
	if (!sample) error(404, `There is no sample ${id}.`);
	const role = currentUser(locals).role;
	return { ...sample, workers, canAssign: can(role, 'samples.assign') };
};

export const actions: Actions = {
	assign: async ({ request, url, locals }) => {
		const user = currentUser(locals);
		const id = idFrom(url.searchParams.get('id'));
		if (id === null) return badForm('Which sample? The address needs ?id=.', 'Open the sample from the Audits page.');
		const form = await request.formData();
		const reviewers = form.getAll('reviewer').filter((r): r is string => typeof r === 'string');
		const method = form.get('method') === 'quota' ? 'quota' : 'round_robin';
		const quotas = reviewers.map((r) => Number(form.get(`quota.${r}`) ?? 0));
		const { db } = await getDatabase();
		const result = await attempt(() => assignSample(db, id, { reviewers, method, quotas }, user.username));
		if (!result.ok) return failWith(result.refusal);
		return { assigned: result.value };
	}
};
