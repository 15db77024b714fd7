import { failWith } from '$lib/core/http-errors.server';
import type { Actions, PageServerLoad } from './$types';
import { getDatabase } from '$lib/core/db/database.server';
import { listDisputes } from '$lib/audits/disputes.server';
import { reviewerQueue } from '$lib/audits/reviews.server';
import { auditWorkers, listSamples } from '$lib/audits/sampling.server';
import { acknowledgementRates, agentReviews, linkAgent, listAgentLinks } from '$lib/audits/acknowledgements.server';
import { auditWorkload, createRecurringRule, drawDueSamples, listRecurringRules, setRecurringRuleActive } from '$lib/audits/recurring.server';
import { DATE_PRESETS } from '$lib/metrics/filters/model';
import { attempt, badForm, currentUser, idFrom } from '$lib/audits/route-helpers.server';
import { can } from '$lib/core/auth/access-rules';

export const load: PageServerLoad = async ({ locals }) => {
	const { db } = await getDatabase();
	const user = currentUser(locals);
	// No scheduler: a recurring sample that fell due is drawn by the first look at this page (recurring.server.ts).
	await drawDueSamples(db);
	const seesSamples = can(user.role, 'samples.read');
	const manages = can(user.role, 'recurring.manage');
	const [samples, queue, disputes, workload, rules, rates, links, workers, own] = await Promise.all([
		seesSamples ? listSamples(db) : Promise.resolve([]),
		reviewerQueue(db, user.username),
		seesSamples ? listDisputes(db) : Promise.resolve([]),
		seesSamples ? auditWorkload(db) : Promise.resolve(null),
		seesSamples ? listRecurringRules(db) : Promise.resolve([]),
		can(user.role, 'acknowledgements.read') ? acknowledgementRates(db, user) : Promise.resolve([]),
		can(user.role, 'agents.link') ? listAgentLinks(db) : Promise.resolve([]),
		manages ? auditWorkers(db) : Promise.resolve([]),
		can(user.role, 'reviews.read_own_agent') ? attempt(() => agentReviews(db, user)) : Promise.resolve(null)
	]);
	return {
		seesSamples,
		canDraw: can(user.role, 'samples.assign'),
		manages,
		canLink: can(user.role, 'agents.link'),
		seesRates: can(user.role, 'acknowledgements.read'),
		isAgent: can(user.role, 'reviews.read_own_agent'),
		samples,
		open: queue.filter((q) => q.status !== 'submitted').length,
		openDisputes: disputes.filter((d) => d.status === 'open').length,
		workload,
		rules,
		rates,
		links,
		workers,
		presets: DATE_PRESETS,
		agentUnacknowledged: own?.ok ? own.value.reviews.filter((r) => !r.acknowledged_at).length : null
	};
};

const WHOLE = /^\d{1,4}$/;

export const actions: Actions = {
	recurring: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const params = new URLSearchParams({ design: String(form.get('design') ?? ''), size: String(form.get('size') ?? '') });
		const range = String(form.get('range') ?? '');
		if (range) params.set('range', range);
		const every = String(form.get('every_days') ?? '');
		const due = String(form.get('due_days') ?? '');
		if (!WHOLE.test(every) || !WHOLE.test(due)) return badForm('Give the days between draws and the days to review as whole numbers.', 'For a weekly sample: 7 days, due within 5.');
		const { db } = await getDatabase();
		const result = await attempt(() =>
			createRecurringRule(db, { name: String(form.get('name') ?? ''), params: params.toString(), reviewers: form.getAll('reviewer').filter((r): r is string => typeof r === 'string'), everyDays: Number(every), dueDays: Number(due) }, user)
		);
		if (!result.ok) return failWith(result.refusal);
		return { savedRule: result.value };
	},
	stop: async ({ request, locals }) => toggle(request, locals, false),
	resume: async ({ request, locals }) => toggle(request, locals, true),
	link: async ({ request, locals }) => {
		const user = currentUser(locals);
		const form = await request.formData();
		const username = String(form.get('username') ?? '').trim();
		if (!username) return badForm('Which account? Give the agent account’s user name.', 'Type the user name as Admin → Users lists it.');
		const { db } = await getDatabase();
		const result = await attempt(() => linkAgent(db, username, String(form.get('agent_id') ?? ''), user));
		if (!result.ok) return failWith(result.refusal);
		return { linked: username };
	}
};

async function toggle(request: Request, locals: App.Locals, active: boolean) {
	const user = currentUser(locals);
	const ruleId = idFrom((await request.formData()).get('rule_id'));
	if (ruleId === null) return badForm('Which recurring sample? The form needs rule_id.');
	const { db } = await getDatabase();
	const result = await attempt(() => setRecurringRuleActive(db, ruleId, active, user));
	if (!result.ok) return failWith(result.refusal);
	return { toggled: ruleId };
}
