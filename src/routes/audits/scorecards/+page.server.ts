import { failWith } from '$lib/core/http-errors.server';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { scoreFormula } from '$lib/audits/scorecard';
import { currentTemplate, parseTemplateText, saveTemplateVersion, templateById, templateVersions } from '$lib/audits/templates.server';
import { attempt, currentUser, idFrom } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const role = currentUser(locals).role;
	const wanted = idFrom(url.searchParams.get('version'));
	const [current, versions] = await Promise.all([currentTemplate(db), templateVersions(db)]);
	const shown = (wanted !== null ? await templateById(db, wanted) : undefined) ?? current;
	return { current: { template_id: current.template_id, version: current.version }, shown, formula: scoreFormula(shown.body), versions, canEdit: can(role, 'scorecards.edit'), json: JSON.stringify(current.body, null, 2) };
};

export const actions: Actions = {
	save: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const text = String(form.get('body') ?? '');
		const note = String(form.get('note') ?? '').slice(0, 500);
		const { db } = await getDatabase();
		const result = await attempt(() => saveTemplateVersion(db, parseTemplateText(text), note, user.username));
		if (!result.ok) return failWith(result.refusal, { text });
		return { saved: result.value.version };
	}
};
