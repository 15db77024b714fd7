import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/server/db/database';
import { listDisputes } from '$lib/server/audits/disputes';
import { reviewerQueue } from '$lib/server/audits/reviews';
import { listSamples } from '$lib/server/audits/sampling';
import { currentUser } from '$lib/server/audits/route-helpers';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	const seesSamples = user.role !== 'reviewer';
	const [samples, queue, disputes] = await Promise.all([seesSamples ? listSamples(db) : Promise.resolve([]), reviewerQueue(db, user.username), seesSamples ? listDisputes(db) : Promise.resolve([])]);
	return {
		role: user.role,
		samples,
		open: queue.filter((q) => q.status !== 'submitted').length,
		openDisputes: disputes.filter((d) => d.status === 'open').length
	};
};
