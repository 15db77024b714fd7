import { failWith } from '$lib/core/http-errors.server';
import { AppError } from '$lib/core/errors';
import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { canWriteFriction } from '$lib/friction/items';
import { maskPersonalData } from '$lib/core/mask-personal-data';
import { getDatabase } from '$lib/core/db/database.server';
import { itemImpact } from '$lib/friction/impact.server';
import { FrictionItemError, getItem, ownerCandidates, titleFor, updateItem } from '$lib/friction/items.server';
import { can } from '$lib/core/auth/access-rules';

function itemId(raw: string): number | null {
	return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const { db } = await getDatabase();
	const id = itemId(params.id);
	const found = id === null ? null : await getItem(db, id);
	// A stale link (an id that does not exist) goes back to the list, which says so.
	if (!found) redirect(303, `/friction/items?missing=${encodeURIComponent(id ?? 0)}`);
	const viewer = !can(locals.user?.role, 'personal_data.unmasked');
	const events = viewer ? found.events.map((e) => ({ ...e, note: maskPersonalData(e.note) })) : found.events;
	const canWrite = canWriteFriction(locals.user?.role);
	return { item: titleFor(found.item, locals.user?.role), events, impact: await itemImpact(db, found.item), owners: canWrite ? await ownerCandidates(db) : [], canWrite };
};

export const actions: Actions = {
	default: async ({ params, request, locals }) => {
		const { db } = await getDatabase();
		const id = itemId(params.id);
		if (id === null) return failWith(new AppError('not_found', 'There is no such friction item.', 'Open it from the list of friction items.', 404));
		const form = await request.formData();
		const field = (name: string) => (form.has(name) ? String(form.get(name) ?? '') : undefined);
		try {
			await updateItem(db, id, { status: field('status'), owner: field('owner'), fix_date: field('fix_date'), note: field('note') }, locals.user?.username ?? 'unknown');
		} catch (error) {
			if (error instanceof FrictionItemError) return failWith(error);
			throw error;
		}
		return { saved: true };
	}
};
