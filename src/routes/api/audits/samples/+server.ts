import { json } from '@sveltejs/kit';
import { errorResponse } from '$lib/core/http-errors.server';
import { AppError } from '$lib/core/errors';
import type { RequestHandler } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { parseSampleRequest } from '$lib/audits/sample-request';
import { AuditError } from '$lib/audits/audit-error';
import { drawAuditSample, getSample, listSamples } from '$lib/audits/sampling.server';
import { currentUser, idFrom } from '$lib/audits/route-helpers.server';

/** GET: the samples (or ?id=N: one sample with its cases). */
export const GET: RequestHandler = async ({ url }) => {
	const { db } = await getDatabase();
	const id = idFrom(url.searchParams.get('id'));
	if (id === null) return json(await listSamples(db));
	const sample = await getSample(db, id);
	return sample ? json(sample) : errorResponse(new AuditError(404, `There is no sample ${id}.`, 'GET /api/audits/samples lists the samples with their ids.'));
};

/**
 * POST: draw a sample. The request is URL parameters (query string, a form body, or a JSON object
 * of the same names): design, size, seed, stratify, allocation, exclude_days, status, weight_*, filters.
 */
export const POST: RequestHandler = async ({ request, url, locals }) => {
	const user = currentUser(locals);
	const params = new URLSearchParams(url.searchParams);
	const type = request.headers.get('content-type') ?? '';
	try {
		if (type.includes('application/json')) {
			const body = (await request.json()) as Record<string, unknown>;
			for (const [key, value] of Object.entries(body ?? {})) for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) params.append(key, String(v));
		} else if (type.includes('form')) {
			for (const [key, value] of (await request.formData()).entries()) if (typeof value === 'string') params.append(key, value);
		}
	} catch {
		return errorResponse(new AppError('bad_request', 'The request body is not valid JSON or form data.', 'Send the parameters as a JSON object, a form, or in the query string.'));
	}
	const { request: sampleRequest, errors } = parseSampleRequest(params);
	if (!sampleRequest) return errorResponse(new AppError('bad_request', errors.join(' '), 'Correct the parameters named; the audits "New sample" form shows each with its range.'));
	const { db } = await getDatabase();
	try {
		return json(await drawAuditSample(db, sampleRequest, user.username), { status: 201 });
	} catch (e) {
		return errorResponse(e);
	}
};
