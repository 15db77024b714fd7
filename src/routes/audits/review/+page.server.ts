import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { NA_RULE, scoreFormula, scoresFromForm } from '$lib/audits/scorecard';
import { listDisputes } from '$lib/audits/disputes.server';
import { reviewCaseContext } from '$lib/audits/review-case.server';
import { messageRef, nextInQueue, openReview, pinsFromForm, remainingInQueue, saveReview } from '$lib/audits/reviews.server';
import { badForm, currentUser, idFrom, refusalsAsErrors, refusalsAsFailures } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';
import { caseThread } from '$lib/conversations/thread.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const id = idFrom(url.searchParams.get('id'));
	if (id === null) redirect(303, '/audits/queue');
	const user = currentUser(locals);
	const { db } = await getDatabase();
	const opened = await refusalsAsErrors(() => openReview(db, id, user));
	const [context, disputes, thread] = await Promise.all([reviewCaseContext(db, opened.review.case_id, user.role), listDisputes(db, { reviewId: id }), caseThread(db, opened.review.case_id, user.role)]);
	if (!context) error(404, `Case ${opened.review.case_id} is no longer in the archive.`);
	const r = opened.review;
	return {
		review: { review_id: r.review_id, kind: r.kind, sample_id: r.sample_id, session_id: r.session_id, case_id: r.case_id, reviewer: r.reviewer, status: r.status, score: opened.scores ? r.score : null, notes: opened.scores ? r.notes : null, submitted_at: r.submitted_at, updated_at: r.updated_at },
		template: { name: opened.template.name, version: opened.template.version, body: opened.template.body },
		formula: scoreFormula(opened.template.body),
		naRule: opened.template.body.categories.some((c) => c.na_allowed) ? NA_RULE : null,
		scores: opened.scores,
		pins: opened.pins.map((p) => ({ ...p, ref: messageRef(p.case_id, p.sequence) })),
		/** Option values of the thread's messages, by sequence, for pinning. */
		messageRefs: Object.fromEntries(thread.messages.map((m) => [m.sequence, messageRef(opened.review.case_id, m.sequence)])),
		canEdit: opened.canEdit,
		/** The review submitted just before this one through "Submit and next". */
		after: idFrom(url.searchParams.get('after')),
		remaining: opened.canEdit ? await remainingInQueue(db, user.username) : null,
		history: opened.history,
		context,
		thread,
		disputes,
		canDispute: can(user.role, 'disputes.raise') && r.status === 'submitted' && r.kind === 'sample' && !disputes.some((d) => d.status === 'open')
	};
};

async function save(event: RequestEvent, submit: boolean, thenNext = false) {
	const user = currentUser(event.locals);
	const id = idFrom(event.url.searchParams.get('id'));
	if (id === null) return badForm('Which review? The address needs ?id=.', 'Open the review from your queue.');
	const { db } = await getDatabase();
	const form = await event.request.formData();
	const result = await refusalsAsFailures(async () => {
		const opened = await openReview(db, id, user);
		const { scores, errors } = scoresFromForm(opened.template.body, form);
		const pinned = pinsFromForm(form);
		if (errors.length || pinned.errors.length) return badForm([...errors, ...pinned.errors].join(' '), 'Fix the items named, then save again.');
		const saved = await saveReview(db, id, user, { scores, notes: String(form.get('notes') ?? ''), pins: pinned.pins, submit });
		if (!thenNext) return { saved: saved.status };
		// One click to the next case of the reviewer's queue instead of eight.
		const next = await nextInQueue(db, user.username, id);
		return next === null ? { saved: saved.status, queueDone: true } : { saved: saved.status, next };
	});
	if ('next' in result && typeof result.next === 'number') redirect(303, `/audits/review?id=${result.next}&after=${id}`);
	return result;
}

export const actions: Actions = {
	save: (event) => save(event, false),
	submit: (event) => save(event, true),
	submitNext: (event) => save(event, true, true)
};
