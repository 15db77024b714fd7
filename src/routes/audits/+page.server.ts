import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { listDisputes } from '$lib/audits/disputes.server';
import { reviewerQueue } from '$lib/audits/reviews.server';
import { listSamples } from '$lib/audits/sampling.server';
import { currentUser } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	const seesSamples = can(user.role, 'samples.read');
	const [samples, queue, disputes] = await Promise.all([seesSamples ? listSamples(db) : Promise.resolve([]), reviewerQueue(db, user.username), seesSamples ? listDisputes(db) : Promise.resolve([])]);
	return {
		seesSamples,
		canDraw: can(user.role, 'samples.assign'),
		samples,
		open: queue.filter((q) => q.status !== 'submitted').length,
		openDisputes: disputes.filter((d) => d.status === 'open').length
	};
};
