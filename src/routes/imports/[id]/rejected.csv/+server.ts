import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { csvResponse } from '$lib/core/csv-response.server';
import { getBatch, streamRejected } from '$lib/imports/batches.server';

export const GET: RequestHandler = async ({ params }) => {
	const batchId = Number(params.id);
	if (!Number.isInteger(batchId) || batchId < 1) error(404, 'No such import batch');
	const { db } = await getDatabase();
	if (!(await getBatch(db, batchId))) error(404, `Import batch ${batchId} does not exist`);
	return csvResponse(`batch-${batchId}-rejected.csv`, ['line', 'reason', 'raw'], streamRejected(db, batchId));
};
