import type { LayoutServerLoad } from './$types';
import { readableRoutes } from '$lib/core/auth/guard.server';
import { SECTIONS } from '$lib/core/nav';
import { can } from '$lib/core/auth/access-rules';

export const load: LayoutServerLoad = async ({ locals }) => ({
	user: locals.user ?? null,
	nav: readableRoutes(locals.user?.role, SECTIONS.map((s) => s.href)),
	canUpload: readableRoutes(locals.user?.role, ['/imports/new']).length > 0,
	isAdmin: can(locals.user?.role, 'users.admin')
});
