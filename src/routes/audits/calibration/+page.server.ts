import { failWith } from '$lib/core/http-errors.server';
import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { calibrationReport, createCalibrationSession, listCalibrationSessions } from '$lib/audits/calibration.server';
import { auditWorkers, listSamples } from '$lib/audits/sampling.server';
import { attempt, currentUser, idFrom } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const role = currentUser(locals).role;
	const id = idFrom(url.searchParams.get('id'));
	const report = id === null ? null : await calibrationReport(db, id);
	if (id !== null && !report) error(404, `There is no calibration session ${id}.`);
	const canCreate = can(role, 'calibration.create');
	const [sessions, samples, workers] = await Promise.all([listCalibrationSessions(db), canCreate ? listSamples(db) : Promise.resolve([]), canCreate ? auditWorkers(db) : Promise.resolve([])]);
	return { report, sessions, samples: samples.map((s) => ({ sample_id: s.sample_id, size: s.size, design: s.design })), workers, canCreate };
};

export const actions: Actions = {
	create: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const { db } = await getDatabase();
		const result = await attempt(() =>
			createCalibrationSession(
				db,
				{
					name: String(form.get('name') ?? ''),
					sampleId: idFrom(form.get('sample')),
					cases: Number(form.get('cases') ?? 0),
					seed: Number(form.get('seed') || 1) >>> 0,
					caseIds: String(form.get('case_ids') ?? '')
						.split(/[\s,]+/)
						.filter(Boolean),
					panel: form.getAll('panel').filter((p): p is string => typeof p === 'string')
				},
				user.username
			)
		);
		if (!result.ok) return failWith(result.refusal);
		redirect(303, `/audits/calibration?id=${result.value}`);
	}
};
