import { failWith } from '$lib/core/http-errors.server';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { getDatabase } from '$lib/core/db/database.server';
import { createItem, FrictionItemError, titleFor } from '$lib/friction/items.server';
import { trackedItems } from '$lib/friction/report.server';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const missing = url.searchParams.get('missing');
	return { items: (await trackedItems(db)).map((i) => titleFor(i, locals.user?.role)), canWrite: canWriteFriction(locals.user?.role), missing: missing && /^\d{1,9}$/.test(missing) ? Number(missing) : null };
};

export const actions: Actions = {
	/** Flags a theme or structural point as an item (or opens the existing one). */
	default: async ({ request, locals }) => {
		const { db } = await getDatabase();
		const form = await request.formData();
		const text = (name: string) => String(form.get(name) ?? '');
		let created: { item_id: number };
		try {
			created = await createItem(db, { kind: text('kind'), subject: text('subject'), source: text('source') || null, title: text('title'), scope: text('scope'), owner: text('owner') || locals.user?.username }, locals.user?.username ?? 'unknown');
		} catch (error) {
			if (error instanceof FrictionItemError) return failWith(error);
			throw error;
		}
		redirect(303, `/friction/items/${created.item_id}`);
	}
};
