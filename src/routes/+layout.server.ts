import type { LayoutServerLoad } from './$types';
import { readableRoutes } from '$lib/core/auth/guard.server';
import { SECTIONS } from '$lib/core/nav';

export const load: LayoutServerLoad = async ({ locals }) => ({
	user: locals.user ?? null,
	nav: readableRoutes(locals.user?.role, SECTIONS.map((s) => s.href)),
	canUpload: readableRoutes(locals.user?.role, ['/imports/new']).length > 0,
	isAdmin: locals.user?.role === 'admin'
});
