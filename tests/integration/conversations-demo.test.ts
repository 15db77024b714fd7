import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MESSAGE_COLUMNS } from '../../src/lib/demo/demo-messages.server';
import { writeDemoFiles } from '../../src/lib/demo/generate-demo.server';
import { loadDemo } from '../../src/lib/demo/load-demo.server';
import { INCONSISTENT_TEAM, RISING_THEME } from '../../src/lib/demo/planted-effects.server';
import { ingestFixture, type IngestFixture } from '../helpers/ingest-fixture';

type Row = Record<string, string>;
const END = new Date('2025-06-01T00:00:00Z');
const CASES = 20_000;

let f: IngestFixture;
const parse = async (path: string): Promise<Row[]> => {
	const parsed = Papa.parse<Row>(await readFile(path, 'utf8'), { header: true, skipEmptyLines: true });
	expect(parsed.errors).toEqual([]);
	return parsed.data;
};
interface Demo {
	cases: Row[];
	threads: Map<string, Row[]>;
	header: string;
}
async function demo(nullMode: boolean): Promise<Demo> {
	const files = await writeDemoFiles(join(f.dir, nullMode ? 'null' : 'planted'), { cases: CASES, seed: 42, end: END, nullMode, messages: true });
	const messages = await parse(files.messagesPath!);
	expect(files.messages).toBe(messages.length);
	const threads = new Map<string, Row[]>();
	for (const m of messages) threads.set(m.case_id, [...(threads.get(m.case_id) ?? []), m]);
	return { cases: await parse(files.casesPath), threads, header: (await readFile(files.messagesPath!, 'utf8')).split('\n')[0] };
}
const ms = (ts: string) => Date.parse(`${ts.replace(' ', 'T')}Z`);

let planted: Demo;
let nullData: Demo;
beforeAll(async () => {
	f = await ingestFixture();
	planted = await demo(false);
	nullData = await demo(true);
});
afterAll(async () => {
	await f?.dispose();
});

describe('demo conversations', () => {
	it('every case has 2-8 messages in time order, opened by the customer at created_at, none after the snapshot', () => {
		expect(planted.header).toBe(DEMO_MESSAGE_COLUMNS.join(','));
		expect(planted.threads.size).toBe(CASES);
		for (const c of planted.cases) {
			const t = planted.threads.get(c.case_id)!;
			expect(t.length).toBeGreaterThanOrEqual(2);
			expect(t.length).toBeLessThanOrEqual(8);
			expect(t.map((m) => Number(m.sequence))).toEqual(t.map((_, i) => i + 1));
			expect(t.every((m, i) => i === 0 || ms(m.sent_at) >= ms(t[i - 1].sent_at))).toBe(true);
			expect(ms(t.at(-1)!.sent_at)).toBeLessThanOrEqual(END.getTime());
			expect([t[0].author_role, t[0].sent_at, t[0].public]).toEqual(['customer', c.created_at, 'true']);
		}
	});

	it('the first public agent message is the case first_response_at, the last agent reply its resolved_at', () => {
		let answered = 0;
		let resolved = 0;
		for (const c of planted.cases) {
			const agent = planted.threads.get(c.case_id)!.filter((m) => m.author_role === 'agent' && m.public === 'true');
			expect(agent[0]?.sent_at ?? '').toBe(c.first_response_at);
			if (c.first_response_at) answered++;
			if (c.first_response_at && c.resolved_at) {
				expect(agent.at(-1)!.sent_at).toBe(c.resolved_at);
				resolved++;
			}
		}
		expect(answered).toBeGreaterThan(CASES * 0.9);
		expect(resolved).toBeGreaterThan(CASES * 0.9);
	});

	it('has every role, internal notes, and customers and agents writing Portuguese and Spanish', () => {
		const all = [...planted.threads.values()].flat();
		expect(new Set(all.map((m) => m.author_role))).toEqual(new Set(['customer', 'agent', 'system', 'bot']));
		const notes = all.filter((m) => m.public === 'false');
		expect(notes.length).toBeGreaterThan(CASES * 0.2);
		expect(notes.every((m) => m.author_role === 'agent')).toBe(true);
		const country = new Map(planted.cases.map((c) => [c.case_id, c.country]));
		const firstReplies = (code: string) => all.filter((m) => m.author_role === 'agent' && country.get(m.case_id) === code && m.public === 'true');
		expect(firstReplies('BR').filter((m) => /obrigado|desculpe|Oi |Olá/.test(m.body)).length).toBeGreaterThan(100);
		expect(firstReplies('MX').filter((m) => /gracias|Hola|perdón/i.test(m.body)).length).toBeGreaterThan(50);
	});

	it('the rising theme shows in customers opening messages in its window, and not in null mode', () => {
		const ratio = (d: Demo) => {
			const from = END.getTime() - RISING_THEME.windowDays * 86_400_000;
			const openings = [...d.threads.values()].map((t) => t[0]);
			const share = (rows: Row[]) => rows.filter((m) => RISING_THEME.pattern.test(m.body)).length / rows.length;
			return share(openings.filter((m) => ms(m.sent_at) >= from)) / share(openings.filter((m) => ms(m.sent_at) < from));
		};
		expect(ratio(planted)).toBeGreaterThan(2);
		expect(ratio(nullData)).toBeGreaterThan(0.5);
		expect(ratio(nullData)).toBeLessThan(1.6);
	});

	it("internal notes explain the inconsistent team's and new accounts' denials, only where they were planted", () => {
		const notes = (d: Demo, text: RegExp) => [...d.threads.values()].flat().filter((m) => m.public === 'false' && text.test(m.body));
		const byId = new Map(planted.cases.map((c) => [c.case_id, c]));
		const team = notes(planted, /Team practice: wrong-item claims are denied/);
		expect(team.length).toBeGreaterThan(30);
		for (const n of team) expect([byId.get(n.case_id)!.team, byId.get(n.case_id)!.category, byId.get(n.case_id)!.outcome]).toEqual([INCONSISTENT_TEAM.team, INCONSISTENT_TEAM.category, 'denied']);
		expect(notes(planted, /New account \(under 90 days\)/).length).toBeGreaterThan(30);
		expect(notes(nullData, /Team practice|New account/)).toEqual([]);
	});

	it('loadDemo imports the messages after the cases: all accepted, every first response agrees', async () => {
		const load = await loadDemo(f.db, { cases: 1500, seed: 42, end: END, archiveDir: join(f.dir, 'archive'), maxBytes: Number.MAX_SAFE_INTEGER, importedBy: 'test' });
		expect(load.messages.rejected).toBe(0);
		expect(load.messages.messages.cases).toBe(1500);
		expect(load.messages.messages.first_response).toMatchObject({ compared: 1500, differ: 0 });
		expect(load.cases.accepted).toBe(1500);
	});
});
