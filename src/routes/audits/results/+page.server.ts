import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { auditResults } from '$lib/audits/results.server';
import { listSamples } from '$lib/audits/sampling.server';
import { idFrom } from '$lib/audits/route-helpers.server';

export const load: PageServerLoad = async ({ url }) => {
	const { db } = await getDatabase();
	const sampleId = idFrom(url.searchParams.get('sample'));
	const [results, samples] = await Promise.all([auditResults(db, { by: url.searchParams.get('by') ?? undefined, grain: url.searchParams.get('grain') ?? undefined, sampleId }), listSamples(db)]);
	return { results, sampleId, samples: samples.map((s) => ({ sample_id: s.sample_id, design: s.design, size: s.size })) };
};
