import { error, type ActionFailure } from '@sveltejs/kit';
import type { Problem } from '../core/errors';
import { failWith } from '../core/http-errors.server';
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
export async function refusalsAsFailures<T>(run: () => Promise<T>): Promise<T | ActionFailure<{ problem: Problem }>> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof AuditError) return failWith(e);
		throw e;
	}
}

/** A form that does not say what it is about: the page shows it like any other refusal. */
export function badForm(message: string, hint = 'Reload the page and try again.'): ActionFailure<{ problem: Problem }> {
	return failWith(new AuditError(400, message, hint));
}

/** Runs a service call; a refusal comes back as a value to show, anything else is thrown. */
export async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; refusal: AuditError }> {
	try {
		return { ok: true, value: await run() };
	} catch (e) {
		if (e instanceof AuditError) return { ok: false, refusal: e };
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
