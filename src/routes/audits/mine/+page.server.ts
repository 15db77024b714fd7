import { failWith } from '$lib/core/http-errors.server';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { acknowledgeReview, agentReview, agentReviews } from '$lib/audits/acknowledgements.server';
import { raiseDispute } from '$lib/audits/disputes.server';
import { attempt, badForm, currentUser, idFrom, refusalsAsErrors } from '$lib/audits/route-helpers.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	// An account not linked to an agent yet sees why, not an error page.
	const listed = await attempt(() => agentReviews(db, user));
	if (!listed.ok) return { agent: null, reviews: [], detail: null, refusal: { message: listed.refusal.message, hint: listed.refusal.hint } };
	const id = idFrom(url.searchParams.get('id'));
	const detail = id === null ? null : await refusalsAsErrors(() => agentReview(db, id, user));
	return { agent: listed.value.agent, reviews: listed.value.reviews, detail, refusal: null };
};

export const actions: Actions = {
	acknowledge: async ({ request, locals }) => {
		const user = currentUser(locals);
		const reviewId = idFrom((await request.formData()).get('review_id'));
		if (reviewId === null) return badForm('Which review? The form needs review_id.');
		const { db } = await getDatabase();
		const result = await attempt(() => acknowledgeReview(db, reviewId, user));
		if (!result.ok) return failWith(result.refusal);
		return { acknowledged: reviewId };
	},
	dispute: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const reviewId = idFrom(form.get('review_id'));
		const item = String(form.get('item_id') ?? '');
		if (reviewId === null) return badForm('Which review? The form needs review_id.');
		if (!item) return badForm('Choose the item you dispute.', 'Pick one item of the scorecard and send again.');
		const { db } = await getDatabase();
		const result = await attempt(() => raiseDispute(db, reviewId, String(form.get('reason') ?? ''), user, new Date(), item));
		if (!result.ok) return failWith(result.refusal);
		return { disputed: result.value };
	}
};
