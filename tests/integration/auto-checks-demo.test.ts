import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { parseFilters } from '../../src/lib/metrics/filters/model';
import { speedReport } from '../../src/lib/metrics/speed/speed.server';
import { complianceReport } from '../../src/lib/metrics/compliance/compliance.server';
import { AUTO_CHECKS, AUTO_CHECK_IDS } from '../../src/lib/audits/auto-checks/model';
import { autoCheckReport } from '../../src/lib/audits/auto-checks/report.server';
import { useDemoArchive } from '../helpers/demo-archive';

// The checks against the metric pages' own numbers on demo data (business-hours targets per
// region, per-channel targets, conversations): the same definitions must give the same counts.
const END = new Date('2026-11-01T00:00:00Z');
const all = parseFilters(new URLSearchParams());
const f = useDemoArchive({ cases: 4000, seed: 11, end: END });


describe('automatic checks on the demo data', () => {
	test('first response within target = the Speed page share on the policy basis, overall and per team', async () => {
		const [checks, speed] = await Promise.all([autoCheckReport(f.db, { filters: all, by: 'team', today: END }), speedReport(f.db, { measure: 'first_response', filters: all, by: 'team', today: END })]);
		expect(speed.target?.basis).toBe('business_hours');
		const c = checks.checks.find((x) => x.id === 'first_response_within_target');
		const policyBasis = speed.overall.attainment?.business_hours;
		expect([c?.passed, c?.failed, c?.rate]).toEqual([policyBasis?.within, policyBasis?.breached, policyBasis?.share]);
		for (const g of speed.groups) {
			const mine = checks.groups.find((x) => x.check === 'first_response_within_target' && x.group === g.group);
			expect([g.group, mine?.passed, mine?.failed]).toEqual([g.group, g.attainment?.business_hours.within, g.attainment?.business_hours.breached]);
		}
	});

	test('each compliance check fails exactly the cases its rule flags, among the cases it applies to', async () => {
		const [checks, compliance] = await Promise.all([autoCheckReport(f.db, { filters: all, by: 'region', today: END }), complianceReport(f.db, { filters: all, by: 'region', today: END })]);
		for (const id of AUTO_CHECK_IDS) {
			const rule = AUTO_CHECKS[id].rule;
			if (!rule) continue;
			const c = checks.checks.find((x) => x.id === id);
			const r = compliance.rules.find((x) => x.rule === rule);
			expect([id, c?.checked, c?.failed]).toEqual([id, r?.eligible, r?.flagged]);
			for (const g of compliance.groups.filter((x) => x.rule === rule && x.eligible > 0)) {
				const mine = checks.groups.find((x) => x.check === id && x.group === g.group);
				expect([id, g.group, mine?.checked, mine?.failed]).toEqual([id, g.group, g.eligible, g.flagged]);
			}
		}
	});

	test('the conversation checks read every thread: internal notes never leak in the demo, and each case with a customer message is answered or waiting', async () => {
		const r = await autoCheckReport(f.db, { filters: all, by: 'team', today: END });
		const notes = r.checks.find((x) => x.id === 'internal_notes_private');
		const { rows } = await sql<{ n: number }>`SELECT count(DISTINCT case_id) AS n FROM messages WHERE NOT is_public AND length(trim(body)) >= 20`.execute(f.db);
		expect([notes?.checked, notes?.failed]).toEqual([Number(rows[0].n), 0]);
		const reply = r.checks.find((x) => x.id === 'reply_within_target');
		expect(reply?.not_testable).toBeNull();
		expect(reply?.checked).toBeGreaterThan(0.9 * r.cases);
		expect(reply?.failed).toBeGreaterThan(0);
		// Every other check is testable on the demo, which carries every column.
		expect(r.checks.filter((x) => x.not_testable).map((x) => x.id)).toEqual([]);
	});
});
