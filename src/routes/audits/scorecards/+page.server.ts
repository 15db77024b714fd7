import { failWith } from '$lib/core/http-errors.server';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { NA_RULE, scoreFormula, scorecardFromForm, type ScorecardBody } from '$lib/audits/scorecard';
import { checkedDefinition, currentTemplate, parseTemplateText, saveTemplateVersion, templateById, templateVersions } from '$lib/audits/templates.server';
import { attempt, currentUser, idFrom } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ url, locals }) => {
	const { db } = await getDatabase();
	const role = currentUser(locals).role;
	const wanted = idFrom(url.searchParams.get('version'));
	const [current, versions] = await Promise.all([currentTemplate(db), templateVersions(db)]);
	const shown = (wanted !== null ? await templateById(db, wanted) : undefined) ?? current;
	return {
		current: { template_id: current.template_id, version: current.version, body: current.body },
		shown,
		formula: scoreFormula(shown.body),
		naRule: NA_RULE,
		versions,
		canEdit: can(role, 'scorecards.edit'),
		json: JSON.stringify(current.body, null, 2)
	};
};

/** Both editors end here: the same check (scorecardSchema via checkedDefinition) and a new version. */
async function saveVersion(locals: App.Locals, note: string, read: () => ScorecardBody, extra: Record<string, unknown>) {
	const user = currentUser(locals);
	const { db } = await getDatabase();
	const result = await attempt(async () => saveTemplateVersion(db, read(), note.slice(0, 500), user.username));
	if (!result.ok) return failWith(result.refusal, extra);
	return { saved: result.value.version };
}

export const actions: Actions = {
	/** The builder form (field names from fieldName in src/lib/audits/scorecard.ts). */
	save: async ({ request, locals }) => {
		const form = await request.formData();
		return saveVersion(locals, String(form.get('note') ?? ''), () => checkedDefinition(scorecardFromForm(form)), {});
	},
	/** The advanced editor: the whole definition as JSON. */
	saveJson: async ({ request, locals }) => {
		const form = await request.formData();
		const text = String(form.get('body') ?? '');
		return saveVersion(locals, String(form.get('note') ?? ''), () => parseTemplateText(text), { text });
	}
};
