import { error, fail, type ActionFailure } from '@sveltejs/kit';
import type { SessionUser } from '../core/auth/roles';
import { AuditError } from './audit-error';

/** The signed-in user (the guard already refused anonymous requests to audit routes). */
export function currentUser(locals: App.Locals): SessionUser {
	if (!locals.user) error(401, 'Sign in first.');
	return locals.user;
}

/** A positive whole-number id from the URL or a form, or null. */
export function idFrom(value: string | null | undefined | FormDataEntryValue): number | null {
	if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return null;
	const n = Number(value);
	return n > 0 ? n : null;
}

/** Runs an action; a refusal from the audit services becomes a form failure with its message. */
export async function refusalsAsFailures<T>(run: () => Promise<T>): Promise<T | ActionFailure<{ error: string }>> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof AuditError) return fail(e.status, { error: e.message });
		throw e;
	}
}

/** Runs a service call; a refusal comes back as a value to show, anything else is thrown. */
export async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; status: AuditError['status']; error: string }> {
	try {
		return { ok: true, value: await run() };
	} catch (e) {
		if (e instanceof AuditError) return { ok: false, status: e.status, error: e.message };
		throw e;
	}
}

/** In a load: a refusal becomes the matching error page. */
export async function refusalsAsErrors<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof AuditError) error(e.status, e.message);
		throw e;
	}
}
