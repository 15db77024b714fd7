import type { PageServerLoad } from './$types';

/**
 * The page a signed-in user sees when the access table refuses a page. SvelteKit never renders
 * +error.svelte for an error thrown in the handle hook, so src/hooks.server.ts answers a refused
 * page with this one (status 403): the refusal inside the app's frame, with a way back.
 */
export const load: PageServerLoad = ({ locals, url }) => {
	const role = locals.user?.role ?? 'viewer';
	const asked = url.searchParams.get('path')?.slice(0, 200);
	return { message: `Your role (${role}) does not give access to ${asked ? asked : 'this page'}. Ask an administrator if you need it.`, path: asked ?? url.pathname };
};
