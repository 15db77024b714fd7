import { failWith } from '$lib/core/http-errors.server';
import { AuditError } from '$lib/audits/audit-error';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { scoresFromForm } from '$lib/audits/scorecard';
import { listDisputes, raiseDispute, resolveDispute } from '$lib/audits/disputes.server';
import { openReview } from '$lib/audits/reviews.server';
import { attempt, badForm, currentUser, idFrom, refusalsAsFailures } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	const disputes = await listDisputes(db);
	const canResolve = can(user.role, 'disputes.resolve');
	// For open disputes, the scorecard of the disputed review, filled with its current scores.
	const open = canResolve
		? await Promise.all(
				disputes
					.filter((d) => d.status === 'open')
					.map(async (d) => {
						const opened = await openReview(db, d.review_id, user);
						return { dispute_id: d.dispute_id, body: opened.template.body, scores: opened.scores };
					})
			)
		: [];
	return { disputes, open, canResolve };
};

export const actions: Actions = {
	raise: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const reviewId = idFrom(form.get('review_id'));
		if (reviewId === null) return badForm('Which review? The form needs review_id.');
		const { db } = await getDatabase();
		// One item of the scorecard, or none for the review as a whole (raiseDispute checks the item exists).
		const item = String(form.get('item_id') ?? '').trim() || null;
		const result = await attempt(() => raiseDispute(db, reviewId, String(form.get('reason') ?? ''), user, new Date(), item));
		if (!result.ok) return failWith(result.refusal);
		redirect(303, `/audits/disputes#dispute-${result.value}`);
	},
	resolve: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const disputeId = idFrom(form.get('dispute_id'));
		if (disputeId === null) return badForm('Which dispute? The form needs dispute_id.');
		const { db } = await getDatabase();
		const note = String(form.get('note') ?? '');
		return refusalsAsFailures(async () => {
			if (form.get('decision') === 'change') {
				const dispute = (await listDisputes(db)).find((d) => d.dispute_id === disputeId);
				if (!dispute) return failWith(new AuditError(404, `There is no dispute ${disputeId}.`, 'Open it from the list of disputes.'));
				const opened = await openReview(db, dispute.review_id, user);
				const { scores, errors } = scoresFromForm(opened.template.body, form);
				if (errors.length) return badForm(errors.join(' '), 'Rate every item of the scorecard, then resolve again.');
				await resolveDispute(db, disputeId, { decision: 'change', note, scores }, user);
			} else if (form.get('decision') === 'uphold') {
				await resolveDispute(db, disputeId, { decision: 'uphold', note }, user);
			} else return badForm('Choose: uphold the review or change it.', 'Pick one of the two and resolve again.');
			return { resolved: disputeId };
		});
	}
};
