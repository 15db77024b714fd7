import { failWith } from '$lib/core/http-errors.server';
import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { calibrationReport, createCalibrationSession, graderTrend, listCalibrationSessions, recordReference, REFERENCE_SOURCES, type ReferenceSource } from '$lib/audits/calibration.server';
import { scoresFromForm } from '$lib/audits/scorecard';
import { auditWorkers, listSamples } from '$lib/audits/sampling.server';
import { attempt, badForm, currentUser, idFrom, refusalsAsFailures } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const role = currentUser(locals).role;
	const id = idFrom(url.searchParams.get('id'));
	const report = id === null ? null : await calibrationReport(db, id);
	if (id !== null && !report) error(404, `There is no calibration session ${id}.`);
	const canCreate = can(role, 'calibration.create');
	const grain = url.searchParams.get('grain') === 'month' ? 'month' : 'session';
	const [sessions, samples, workers, grader] = await Promise.all([listCalibrationSessions(db), canCreate ? listSamples(db) : Promise.resolve([]), canCreate ? auditWorkers(db) : Promise.resolve([]), graderTrend(db, grain)]);
	return { report, sessions, samples: samples.map((s) => ({ sample_id: s.sample_id, size: s.size, design: s.design })), workers, canCreate, canReference: can(role, 'calibration.reference'), grader, grain };
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
	},
	reference: async ({ request, locals, url }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const sessionId = idFrom(url.searchParams.get('id'));
		const caseId = String(form.get('case_id') ?? '');
		const source = String(form.get('source') ?? '');
		if (sessionId === null || !caseId) return badForm('Which session and case? Open the session and record the reference from its table.');
		if (!(REFERENCE_SOURCES as readonly string[]).includes(source)) return badForm('Say whose answer this is: the QA manager’s or the consensus.', 'Pick one and record again.');
		const { db } = await getDatabase();
		return refusalsAsFailures(async () => {
			const report = await calibrationReport(db, sessionId);
			if (!report) return badForm(`There is no calibration session ${sessionId}.`, 'Open it from the list of sessions.');
			const { scores, errors } = scoresFromForm(report.template.body, form);
			if (errors.length) return badForm(errors.join(' '), 'Rate every item, then record again.');
			await recordReference(db, sessionId, caseId, { source: source as ReferenceSource, scores }, user);
			return { referenced: caseId };
		});
	}
};
