import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { RawNode, sql, type KyselyPlugin, type Kysely, type QueryId } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/lib/core/db/schema';
import { derivedFirstResponses } from '../../src/lib/conversations/first-response.server';
import { importMessages, type MessageImportOptions, type MessageImportSummary } from '../../src/lib/conversations/import-messages.server';
import { caseThread } from '../../src/lib/conversations/thread.server';
import { formatSinceOpening } from '../../src/lib/conversations/model';
import { existsSync } from 'node:fs';
import { EXTERNAL_DIR } from '../helpers/external-data';
import { ingestFixture, MiB, type IngestFixture } from '../helpers/ingest-fixture';

/** One database for the file; each test uses its own case ids. */
let f: IngestFixture;
beforeAll(async () => {
	f = await ingestFixture();
});
afterAll(async () => {
	await f?.dispose();
});

function load(path: string, options: Partial<MessageImportOptions> = {}, db: Kysely<Database> = f.db): Promise<MessageImportSummary> {
	return importMessages(db, { path, importedBy: 'test', source: 'api', archiveDir: join(f.dir, 'archive'), maxBytes: 50 * MiB, ...options });
}

async function thread(caseId: string) {
	return f.db.selectFrom('messages').select(['sequence', 'sent_at', 'author_role', 'author_name', 'is_public', 'body', 'batch_id']).where('case_id', '=', caseId).orderBy('sequence').execute();
}

async function rejected(batchId: number | null) {
	return f.db.selectFrom('rejected_rows').select(['line', 'reason', 'raw']).where('batch_id', '=', batchId ?? -1).orderBy('line').execute();
}

/** rows read = accepted + rejected, in the summary and in the tables. */
async function expectBalanced(summary: MessageImportSummary) {
	expect(summary.rows_read).toBe(summary.accepted + summary.rejected);
	const stored = await sql<{ messages: number; rejects: number }>`SELECT (SELECT count(*) FROM messages WHERE batch_id = ${summary.batch_id}) AS messages,
		(SELECT count(*) FROM rejected_rows WHERE batch_id = ${summary.batch_id}) AS rejects`.execute(f.db);
	expect([Number(stored.rows[0].messages), Number(stored.rows[0].rejects)]).toEqual([summary.accepted, summary.rejected]);
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

describe('canonical messages', () => {
	it('CSV: accepts messages, rejects each bad row with its line and every reason, orders by time', async () => {
		const path = await f.file(
			'messages.csv',
			[
				'case_id,sequence,sent_at,author_role,author_name,public,body',
				'M1,1,2024-03-01 10:00:00,customer,Ann,true,"My parcel, where is it?"',
				'M1,3,2024-03-01T12:30:00+02:00,agent,Bob,internal,Checked the carrier', // 10:30 UTC
				'M1,2,2024-03-01 10:20:00,End-User,Ann,,"Hello?\nAnyone?"', // written before the note: time decides
				'M1,4,2024-03-01 11:00:00,agent,Bob,public,It is on its way',
				',5,2024-03-01 11:00:00,agent,Bob,true,no case',
				'M1,6,yesterday,robot,Bob,maybe,',
				'M1,x7,2024-03-01 12:00:00,bot,Auto,true,   ',
				'M2,1,2024-03-01 10:00:00,customer',
				'M2,1,2024-03-01 09:00:00,automation,Flow,true,We got your message'
			].join('\n') + '\n'
		);
		const s = await load(path);
		expect([s.format, s.messages.format, s.messages.detected]).toEqual(['csv', 'canonical', true]);
		expect([s.rows_read, s.accepted, s.rejected, s.messages.cases, s.messages.internal_notes]).toEqual([9, 5, 4, 2, 1]);
		await expectBalanced(s);
		expect(s.messages.roles).toEqual({ agent: 2, bot: 1, customer: 2 });
		const m1 = await thread('M1');
		expect(m1.map((m) => [m.sequence, iso(m.sent_at), m.author_role, m.is_public, m.body])).toEqual([
			[1, '2024-03-01T10:00:00.000Z', 'customer', true, 'My parcel, where is it?'],
			[2, '2024-03-01T10:20:00.000Z', 'customer', true, 'Hello?\nAnyone?'],
			[3, '2024-03-01T10:30:00.000Z', 'agent', false, 'Checked the carrier'],
			[4, '2024-03-01T11:00:00.000Z', 'agent', true, 'It is on its way']
		]);
		expect((await thread('M2')).map((m) => m.author_role)).toEqual(['bot']);
		const rows = await rejected(s.batch_id);
		// Line numbers count the header as line 1 and each record as one line (the quoted line break included).
		expect(rows.map((r) => r.line)).toEqual([6, 7, 8, 9]);
		expect(rows[0].reason).toBe('case_id is empty (required)');
		expect(rows[1].reason).toContain('sent_at: "yesterday" is not a timestamp');
		expect(rows[1].reason).toContain('author_role: "robot" is not customer, agent, system or bot');
		expect(rows[1].reason).toContain('body is empty (required)');
		expect(rows[1].reason).toContain('public: "maybe" is not true/false');
		expect(rows[2].reason).toBe('body is empty (required); sequence: "x7" is not a number');
		expect(rows[3].reason).toMatch(/^the CSV reader could not split this record/);
		expect(rows[1].raw).toBe('M1,6,yesterday,robot,Bob,maybe,');
		const reasons = Object.fromEntries(s.top_reasons.map((r) => [r.reason, r.count]));
		expect(reasons['body is empty (required)']).toBe(2);
		// Neither case is in the cases table: kept, and said.
		expect(s.messages.unknown_cases).toBe(2);
		expect(s.warnings.join(' ')).toContain('not in the cases table');
		const batch = await f.db.selectFrom('import_batches').selectAll().where('batch_id', '=', s.batch_id!).executeTakeFirstOrThrow();
		expect([batch.kind, batch.status, batch.rows_read, batch.accepted, batch.rejected]).toEqual(['messages', 'committed', 9, 5, 4]);
	});

	it('NDJSON with other header spellings', async () => {
		const lines = [
			{ ticket_id: 'N1', created_at: '2024-05-02T08:00:00Z', role: 'customer', text: 'Olá, meu pedido não chegou', visibility: 'public' },
			{ ticket_id: 'N1', created_at: '2024-05-02T09:15:00Z', role: 'admin', text: 'Vamos verificar', visibility: 'public', author: 'Bia' },
			{ ticket_id: 'N1', created_at: 'not a time', role: 'agent', text: 'x' }
		];
		const s = await load(await f.file('m.ndjson', lines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
		expect([s.rows_read, s.accepted, s.rejected]).toEqual([3, 2, 1]);
		await expectBalanced(s);
		expect((await thread('N1')).map((m) => [m.author_role, m.author_name, m.body])).toEqual([
			['customer', null, 'Olá, meu pedido não chegou'],
			['agent', 'Bia', 'Vamos verificar']
		]);
		expect((await rejected(s.batch_id)).map((r) => [r.line, r.reason])).toEqual([[3, 'sent_at: "not a time" is not a timestamp (expected e.g. 2024-03-01 14:30:00 or ISO 8601)']]);
	});

	it('refuses a file without the required columns', async () => {
		await expect(load(await f.file('no-role.csv', 'case_id,sent_at,body\nX,2024-01-01 00:00:00,hi\n'))).rejects.toThrow(/no column for author_role/);
	});

	it('a re-import of a case replaces its messages, leaves other cases, and the same file again changes nothing', async () => {
		const first = await load(await f.file('r1.csv', 'case_id,sent_at,author_role,body\nR1,2024-01-01 10:00:00,customer,old one\nR1,2024-01-01 11:00:00,agent,old two\nR2,2024-01-01 10:00:00,customer,stays\n'));
		const text = 'case_id,sent_at,author_role,body\nR1,2024-01-02 10:00:00,customer,new one\n';
		const second = await load(await f.file('r2.csv', text));
		expect([second.accepted, second.messages.replaced_cases, second.replaced]).toEqual([1, 1, 2]);
		expect((await thread('R1')).map((m) => [m.body, m.batch_id])).toEqual([['new one', second.batch_id]]);
		expect((await thread('R2')).map((m) => [m.body, m.batch_id])).toEqual([['stays', first.batch_id]]);
		const again = await load(await f.file('r2-renamed.csv', text));
		expect([again.status, again.duplicate_of, again.accepted]).toEqual(['duplicate', second.batch_id, 0]);
		expect((await thread('R1')).map((m) => m.batch_id)).toEqual([second.batch_id]);
	});
});

describe('Zendesk ticket comments', () => {
	const ticket = (id: number, requester: number | undefined, comments: object[]) => ({ ticket_id: id, ...(requester === undefined ? {} : { requester_id: requester }), comments });
	const c = (id: number, author: number, at: string, body: string, isPublic = true) => ({ id, author_id: author, public: isPublic, body, created_at: at });

	it('NDJSON without a users file: the requester is the customer, everyone else an agent, and the summary says so', async () => {
		const lines = [
			JSON.stringify(ticket(9001, 501, [c(1, 501, '2024-02-01T10:00:00Z', 'Where is my order?'), c(2, 77, '2024-02-01T10:05:00Z', 'Looks lost, asking carrier', false), c(3, 77, '2024-02-01T11:00:00Z', 'We are on it')])),
			'{"ticket_id": 9002, oops',
			JSON.stringify(ticket(9003, undefined, [c(4, 600, '2024-02-02T09:00:00Z', 'Hi'), c(5, 78, '2024-02-02T09:30:00Z', 'Hello!')])),
			JSON.stringify(ticket(9004, 1, [])),
			JSON.stringify(ticket(9005, 502, [c(6, 502, 'bad time', 'x')]))
		];
		const s = await load(await f.file('comments.ndjson', lines.join('\n') + '\n'));
		expect([s.format, s.messages.format]).toEqual(['ndjson', 'zendesk_comments']);
		expect([s.rows_read, s.accepted, s.rejected, s.messages.cases]).toEqual([7, 5, 2, 2]);
		await expectBalanced(s);
		expect((await thread('9001')).map((m) => [m.author_role, m.is_public, m.author_name])).toEqual([
			['customer', true, '501'],
			['agent', false, '77'],
			['agent', true, '77']
		]);
		// No requester_id: the first comment's author is taken as the requester.
		expect((await thread('9003')).map((m) => m.author_role)).toEqual(['customer', 'agent']);
		expect(s.warnings.join(' ')).toMatch(/No users file was given, so author roles were inferred for 6 comments: the ticket's requester \(requester_id\) is the customer, every other author an agent/);
		expect(s.warnings.join(' ')).toContain('1 tickets have no requester_id');
		expect(s.warnings.join(' ')).toContain('1 tickets have no comments');
		const rows = await rejected(s.batch_id);
		expect(rows.map((r) => r.line)).toEqual([2, 5]);
		expect(rows[0].reason).toMatch(/^the line is not valid JSON/);
		expect(rows[1].reason).toContain('sent_at: "bad time" is not a timestamp');
	});

	it('a JSON array with a users file: roles and names from it; a ticket repeated later in the file replaces the earlier copy', async () => {
		const users = await f.file('users.json', JSON.stringify({ users: [{ id: 700, role: 'end-user', name: 'Carla Díaz' }, { id: 80, role: 'agent', name: 'Dev Agent' }, { id: 81, role: 'admin', name: 'Boss' }] }));
		const tickets = [
			ticket(9101, 999, [c(1, 700, '2024-03-01T10:00:00Z', 'old copy')]),
			ticket(9102, 999, [c(2, 700, '2024-03-01T10:00:00Z', 'Hola'), c(3, 81, '2024-03-01T10:10:00Z', 'Note', false), c(4, 80, '2024-03-01T10:20:00Z', 'Hola Carla')]),
			ticket(9101, 999, [c(1, 700, '2024-03-01T10:00:00Z', 'new copy'), c(9, 80, '2024-03-01T10:30:00Z', 'Answer')])
		];
		const s = await load(await f.file('comments.json', JSON.stringify(tickets)), { usersPath: users });
		expect([s.rows_read, s.accepted, s.rejected]).toEqual([6, 5, 1]);
		await expectBalanced(s);
		expect((await thread('9102')).map((m) => [m.author_role, m.author_name, m.is_public])).toEqual([
			['customer', 'Carla Díaz', true],
			['agent', 'Boss', false],
			['agent', 'Dev Agent', true]
		]);
		expect((await thread('9101')).map((m) => m.body)).toEqual(['new copy', 'Answer']);
		expect((await rejected(s.batch_id)).map((r) => [r.line, r.reason])).toEqual([[1, 'ticket_id "9101" appears again later in this file (line 3), which replaces it']]);
		expect(s.warnings.join(' ')).not.toContain('No users file');
	});
});

describe('Twitter threads from reply links', () => {
	it('the sample file: threads and messages as an independent papaparse computation gives them', async () => {
		const inRepo = join(EXTERNAL_DIR, 'twitter-support/sample.csv');
		const path = existsSync(inRepo) ? inRepo : join(process.cwd(), '../shared/data/external/twitter-support/sample.csv');
		const rows = Papa.parse<Record<string, string>>(await readFile(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
		const byId = new Map(rows.map((r) => [r.tweet_id, r]));
		const rootOf = (id: string): string => {
			let current = byId.get(id)!;
			for (let guard = 0; guard < rows.length; guard++) {
				const parent = byId.get(current.in_response_to_tweet_id);
				if (!parent) return current.tweet_id;
				current = parent;
			}
			throw new Error('loop');
		};
		const threads = new Map<string, Record<string, string>[]>();
		for (const r of rows) threads.set(rootOf(r.tweet_id), [...(threads.get(rootOf(r.tweet_id)) ?? []), r]);

		const s = await load(path);
		expect(s.messages.format).toBe('twitter');
		expect([s.rows_read, s.accepted, s.rejected]).toEqual([rows.length, rows.length, 0]);
		expect(s.messages.cases).toBe(threads.size);
		expect(s.messages.roles).toEqual({ customer: rows.filter((r) => r.inbound === 'True').length, agent: rows.filter((r) => r.inbound === 'False').length });
		await expectBalanced(s);
		for (const [root, tweets] of threads) {
			const stored = await thread(root);
			expect(stored.length).toBe(tweets.length);
			// In time order, each tweet's author and role as the file gives them.
			const expected = [...tweets].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || 0);
			expect(stored.map((m) => iso(m.sent_at))).toEqual(expected.map((t) => new Date(Date.parse(t.created_at)).toISOString()));
			expect(new Set(stored.map((m) => `${m.author_name}:${m.author_role}`))).toEqual(new Set(tweets.map((t) => `${t.author_id}:${t.inbound === 'True' ? 'customer' : 'agent'}`)));
		}
	});

	it('a reply chain that loops, an empty tweet_id and a repeated tweet are rejected with their reasons', async () => {
		const csv = [
			'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id',
			'1,cust,True,Tue Oct 31 22:10:47 +0000 2017,@Brand help,2,',
			'2,Brand,False,Tue Oct 31 22:20:47 +0000 2017,@cust sure,,1',
			'3,cust,True,Tue Oct 31 22:30:47 +0000 2017,loop a,,4',
			'4,cust,True,Tue Oct 31 22:31:47 +0000 2017,loop b,,3',
			',cust,True,Tue Oct 31 22:32:47 +0000 2017,no id,,',
			'2,Brand,False,Tue Oct 31 22:21:47 +0000 2017,@cust sure (edited),,1'
		].join('\n');
		const s = await load(await f.file('tw.csv', csv + '\n'));
		expect([s.rows_read, s.accepted, s.rejected, s.messages.cases]).toEqual([6, 2, 4, 1]);
		expect((await thread('1')).map((m) => [m.author_role, m.body, iso(m.sent_at)])).toEqual([
			['customer', '@Brand help', '2017-10-31T22:10:47.000Z'],
			['agent', '@cust sure (edited)', '2017-10-31T22:21:47.000Z']
		]);
		expect((await rejected(s.batch_id)).map((r) => [r.line, r.reason])).toEqual([
			[3, 'tweet_id "2" appears again later in this file (line 7), which replaces it'],
			[4, 'the reply chain of tweet "3" loops back on itself, so it has no first tweet'],
			[5, 'the reply chain of tweet "4" loops back on itself, so it has no first tweet'],
			[6, 'tweet_id is empty']
		]);
	});
});

describe('first response derived from the thread', () => {
	it('is the first public agent message after the first customer message, compared with the cases without changing them', async () => {
		const cases = [
			'case_id,created_at,first_response_at,status,region,category',
			'F1,2024-04-01 09:00:00,2024-04-01 10:00:00,solved,europe,x', // thread agrees
			'F2,2024-04-01 09:00:00,2024-04-01 09:30:00,solved,europe,x', // thread says 11:00 (the 09:30 one is a note)
			'F3,2024-04-01 09:00:00,,open,europe,x', // thread has a reply
			'F4,2024-04-01 09:00:00,2024-04-01 09:05:00,solved,europe,x', // thread has only a bot and an outbound agent message
			'F5,2024-04-01 09:00:00,2024-04-01 09:10:30,solved,europe,x' // 30 s apart: the same
		].join('\n');
		await f.ingest(await f.file('f-cases.csv', cases + '\n'), { kind: 'cases' });
		const messages = [
			'case_id,sent_at,author_role,public,body',
			'F1,2024-04-01 09:00:00,customer,true,q',
			'F1,2024-04-01 09:01:00,bot,true,auto',
			'F1,2024-04-01 10:00:00,agent,true,a',
			'F1,2024-04-01 12:00:00,agent,true,b',
			'F2,2024-04-01 09:00:00,customer,true,q',
			'F2,2024-04-01 09:30:00,agent,false,note',
			'F2,2024-04-01 10:00:00,system,true,assigned',
			'F2,2024-04-01 11:00:00,agent,true,a',
			'F3,2024-04-01 09:00:00,customer,true,q',
			'F3,2024-04-01 13:00:00,agent,true,a',
			'F4,2024-04-01 08:00:00,agent,true,we noticed a problem with your order',
			'F4,2024-04-01 09:00:00,customer,true,q',
			'F4,2024-04-01 09:05:00,bot,true,auto',
			'F5,2024-04-01 09:00:00,customer,true,q',
			'F5,2024-04-01 09:10:00,agent,true,a',
			'F6,2024-04-01 09:00:00,customer,true,no such case'
		].join('\n');
		const s = await load(await f.file('f-messages.csv', messages + '\n'));
		const derived = await derivedFirstResponses(f.db, ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'nothing']);
		expect(Object.fromEntries([...derived].map(([k, v]) => [k, iso(v)]))).toEqual({
			F1: '2024-04-01T10:00:00.000Z',
			F2: '2024-04-01T11:00:00.000Z',
			F3: '2024-04-01T13:00:00.000Z',
			F4: null,
			F5: '2024-04-01T09:10:00.000Z',
			F6: null,
			nothing: null
		});
		expect(s.messages.first_response).toMatchObject({ compared: 5, same: 2, differ: 3, different_time: 1, only_case: 1, only_messages: 1 });
		expect(s.messages.first_response.examples.map((e) => e.case_id)).toEqual(['F2', 'F3', 'F4']);
		expect(s.messages.unknown_cases).toBe(1);
		expect(s.warnings.join(' ')).toMatch(/For 3 of 5 cases the first response the messages give .* differs/);
		// Nothing was written to the cases.
		const f3 = await f.db.selectFrom('cases').select('first_response_at').where('case_id', '=', 'F3').executeTakeFirstOrThrow();
		expect(f3.first_response_at).toBeNull();
	});
});

describe('the case page thread', () => {
	it('masks personal data in bodies and customer names for viewers only', async () => {
		await load(await f.file('pii.csv', 'case_id,sent_at,author_role,author_name,public,body\nP1,2024-01-01 10:00:00,customer,Maria Silva,true,Write to maria.silva@example.com or +55 21 98765-4321\nP1,2024-01-01 10:10:00,agent,agent-007,true,Done\n'));
		const viewer = await caseThread(f.db, 'P1', 'viewer');
		expect(viewer.messages[0].body).toBe('Write to [email] or [phone]');
		expect(viewer.messages[0].author_name).not.toContain('Silva');
		expect(viewer.messages[1].author_name).toBe('agent-007');
		const lead = await caseThread(f.db, 'P1', 'lead');
		expect([lead.messages[0].author_name, lead.messages[0].body]).toEqual(['Maria Silva', 'Write to maria.silva@example.com or +55 21 98765-4321']);
	});

	it('formats times relative to the opening', () => {
		const min = 60_000;
		expect([0, 45 * min, 130 * min, 120 * min, 47 * 60 * min, 76 * 60 * min, -5 * min].map(formatSinceOpening)).toEqual(['+0 min', '+45 min', '+2 h 10 min', '+2 h', '+47 h', '+3 d 4 h', '−5 min']);
	});
});

/** Makes the first raw query matching `pattern` fail after it ran, as a crash mid-batch would. */
function crashAfter(pattern: RegExp): KyselyPlugin & { fired: boolean } {
	let armed: QueryId | undefined;
	const plugin = {
		fired: false,
		transformQuery({ node, queryId }: Parameters<KyselyPlugin['transformQuery']>[0]) {
			if (!plugin.fired && RawNode.is(node) && pattern.test(node.sqlFragments.join('?'))) armed = queryId;
			return node;
		},
		async transformResult({ result, queryId }: Parameters<KyselyPlugin['transformResult']>[0]) {
			if (armed === queryId) {
				plugin.fired = true;
				throw new Error(`simulated crash after ${pattern}`);
			}
			return result;
		}
	};
	return plugin;
}

describe('a messages import is one transaction', () => {
	it('a crash after the messages were replaced leaves the previous thread and records a failed batch', async () => {
		const before = await load(await f.file('a1.csv', 'case_id,sent_at,author_role,body\nA1,2024-01-01 10:00:00,customer,before\nA1,2024-01-01 10:00:00,robot,bad\n'));
		const counts = async () =>
			(
				await sql<{ messages: number; rejects: number; audits: number }>`SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM rejected_rows) AS rejects,
				(SELECT count(*) FROM audit_log WHERE action = 'import') AS audits`.execute(f.db)
			).rows[0];
		const was = await counts();
		const path = await f.file('a2.csv', 'case_id,sent_at,author_role,body\nA1,2024-01-02 10:00:00,customer,after\nA3,2024-01-02 10:00:00,customer,new\nA1,x,customer,bad\n');
		const crash = crashAfter(/DELETE FROM messages/);
		await expect(load(path, {}, f.db.withPlugin(crash))).rejects.toThrow('simulated crash');
		expect(crash.fired).toBe(true);
		expect(await counts()).toEqual(was);
		expect((await thread('A1')).map((m) => [m.body, m.batch_id])).toEqual([['before', before.batch_id]]);
		expect(await thread('A3')).toEqual([]);
		const failed = await f.db.selectFrom('import_batches').select(['status', 'error', 'kind']).where('file_name', 'like', '%a2.csv').execute();
		expect(failed).toEqual([{ status: 'failed', kind: 'messages', error: expect.stringContaining('simulated crash') }]);
		const temps = await sql<{ n: number }>`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE 'msg_%'`.execute(f.db);
		expect(Number(temps.rows[0].n)).toBe(0);
		// The failed batch is not "already imported": the file loads afterwards.
		const retry = await load(path);
		expect([retry.status, retry.accepted, retry.rejected, retry.messages.replaced_cases]).toEqual(['committed', 2, 1, 1]);
	});
});
