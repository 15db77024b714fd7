import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { getBatch, listRejected } from '$lib/imports/batches.server';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ params, url }) => {
	const batchId = Number(params.id);
	if (!Number.isInteger(batchId) || batchId < 1) error(404, 'No such import batch');
	const { db } = await getDatabase();
	const batch = await getBatch(db, batchId);
	if (!batch) error(404, `Import batch ${batchId} does not exist`);
	const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
	const search = (url.searchParams.get('q') ?? '').slice(0, 200);
	const rejected = await listRejected(db, batchId, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, search: search || undefined });
	return { batch, rejected, page, pageSize: PAGE_SIZE, search };
};
