import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SCORECARD, fieldName, scorecardFromForm, type ScorecardBody } from '../../src/lib/audits/scorecard';
import { AuditError } from '../../src/lib/audits/audit-error';
import { checkedDefinition, currentTemplate, parseTemplateText, saveTemplateVersion, templateById } from '../../src/lib/audits/templates.server';
import { draftOf, type ScorecardDraft } from '../../src/routes/audits/scorecards/builder-draft';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

/**
 * The scorecard builder (src/routes/audits/scorecards/ScorecardBuilder.svelte) posts one field per
 * input; the server reads them with scorecardFromForm and checks them like the JSON editor.
 */
let f: IngestFixture;

/** The fields the builder posts for a draft, named as ScorecardBuilder.svelte names them (an unticked box posts nothing). */
function builderForm(draft: ScorecardDraft): FormData {
	const form = new FormData();
	const append = (kind: 'category' | 'critical', k: number, fields: Record<string, string | string[] | boolean>) => {
		for (const [field, value] of Object.entries(fields)) {
			for (const one of typeof value === 'boolean' ? (value ? ['on'] : []) : Array.isArray(value) ? value : [value]) form.append(fieldName(kind, k, field), one);
		}
	};
	draft.categories.forEach(({ min, max, labels, ...c }, k) => append('category', k, { ...c, scale_min: min, scale_max: max, scale_label: labels }));
	draft.critical_items.forEach((i, k) => append('critical', k, { ...i }));
	form.append('note', 'from the form');
	return form;
}

function refusalOf(run: () => unknown): AuditError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(AuditError);
		return error as AuditError;
	}
	throw new Error('expected a refusal');
}

const EXTENDED: ScorecardBody = {
	categories: [
		...DEFAULT_SCORECARD.categories,
		{ id: 'refund_handling', label: 'Refund handling', weight: 15, scale: { min: 0, max: 2, labels: ['wrong', 'partly', 'right'] }, help: 'Only where a refund was asked for.', na_allowed: true, root_causes: ['Knowledge gap', 'Tool failure'] }
	],
	critical_items: [...DEFAULT_SCORECARD.critical_items.slice(0, 2), { ...DEFAULT_SCORECARD.critical_items[2], root_causes: ['Provoked', 'Unprovoked'] }]
};

beforeAll(async () => {
	f = await ingestFixture();
});

afterAll(async () => {
	await f?.dispose();
});

describe('the builder form', () => {
	test('a scorecard saved from the form equals the same scorecard as JSON (auto_check and pass_from kept)', async () => {
		const fromForm = checkedDefinition(scorecardFromForm(builderForm(draftOf(EXTENDED))));
		const fromJson = parseTemplateText(JSON.stringify(EXTENDED));
		expect(fromForm).toEqual(fromJson);
		expect(fromForm).toEqual(EXTENDED);
		const a = await saveTemplateVersion(f.db, fromForm, 'form', 'qa');
		const b = await saveTemplateVersion(f.db, fromJson, 'json', 'qa');
		const [rowA, rowB] = await Promise.all([templateById(f.db, a.template_id), templateById(f.db, b.template_id)]);
		expect(rowA?.body).toEqual(rowB?.body);
		expect(rowA?.body.categories[1]).toMatchObject({ auto_check: 'policy_compliance', pass_from: 3 });
		expect(b.version).toBe(a.version + 1);
	});

	test('the default scorecard round-trips through the form unchanged', () => {
		expect(checkedDefinition(scorecardFromForm(builderForm(draftOf(DEFAULT_SCORECARD))))).toEqual(DEFAULT_SCORECARD);
	});

	test('a wrong field is refused naming its path, from the form as from JSON', () => {
		const draft = draftOf(EXTENDED);
		draft.categories[1].weight = '-3';
		expect(refusalOf(() => checkedDefinition(scorecardFromForm(builderForm(draft)))).message).toBe('The scorecard is not valid: categories[1].weight must be a positive number.');
		draft.categories[1].weight = 'heavy';
		expect(refusalOf(() => checkedDefinition(scorecardFromForm(builderForm(draft)))).message).toBe('The scorecard is not valid: categories[1].weight must be a positive number, not "heavy".');
		const json = structuredClone(EXTENDED) as unknown as { categories: Record<string, unknown>[] };
		json.categories[1].weight = 0;
		expect(refusalOf(() => parseTemplateText(JSON.stringify(json))).message).toBe('The scorecard is not valid: categories[1].weight must be a positive number.');
	});

	test('invalid definitions: each refusal names the field', () => {
		const cases: [(b: Record<string, any>) => void, string][] = [
			[(b) => (b.categories[0].scale.labels = ['a', 'b']), 'categories[0].scale.labels must give one label per point from min to max'],
			[(b) => (b.categories[2].scale = { min: 3, max: 1, labels: [] }), 'categories[2].scale must run from min up to a larger max, at most 10 points apart'],
			[(b) => (b.categories[0].pass_from = 1), 'categories[0].pass_from must lie above the lowest rating and at most the highest (some rating must fail and some pass)'],
			[(b) => (b.categories[3].auto_check = 'mind_reading'), 'categories[3].auto_check must be one of'],
			[(b) => (b.categories[5].root_causes = ['Knowledge gap', 'Knowledge gap']), 'categories[5].root_causes must not list a root cause twice'],
			[(b) => (b.categories[5].na_allowed = 'yes'), 'categories[5].na_allowed must be true or false, not "yes"'],
			[(b) => (b.critical_items[1].id = 'Bad Id'), 'critical_items[1].id must be lower-case letters'],
			[(b) => (b.critical_items[0].label = '  '), 'critical_items[0].label must not be empty'],
			[(b) => (b.critical_items[0].colour = 'red'), 'critical_items[0].colour is not a field this takes'],
			[(b) => (b.critical_items[0].id = 'agent_conduct'), 'The id "agent_conduct" is used twice'],
			[(b) => (b.categories = []), 'categories must hold at least one category'],
			[(b) => delete b.categories[0].scale, 'categories[0].scale is required']
		];
		for (const [change, message] of cases) {
			const body = structuredClone(EXTENDED) as unknown as Record<string, any>;
			change(body);
			expect(refusalOf(() => parseTemplateText(JSON.stringify(body))).message).toContain(message);
		}
		expect(refusalOf(() => parseTemplateText('{"categories": [')).message).toMatch(/^The scorecard is not valid JSON/);
	});

	test('a refused save adds no version', async () => {
		const before = await currentTemplate(f.db);
		const bad = structuredClone(EXTENDED);
		bad.categories[0].weight = Number.NaN;
		await expect(saveTemplateVersion(f.db, bad, 'broken', 'qa')).rejects.toThrow(/categories\[0\]\.weight must be a positive number/);
		expect((await currentTemplate(f.db)).version).toBe(before.version);
	});
});
