import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { closeSharedDatabase, openDatabase } from '../../src/lib/core/db/database.server';
import type { Database } from '../../src/lib/core/db/schema';
import type { MessageImportSummary } from '../../src/lib/conversations/import-messages.server';
import { getBatch, listBatches } from '../../src/lib/imports/batches.server';
import { load as casePage } from '../../src/routes/cases/[id]/+page.server';
import { EXTERNAL_DIR } from '../helpers/external-data';
import { tempDir } from '../helpers/ingest-fixture';
import { runCli } from '../helpers/run-cli';

// `caselens ingest --kind messages` on a database file, one small file per format, each count
// checked against one computed here from the file's own records, without the import's code.

let dir: string;
let dbPath: string;
beforeAll(async () => {
	dir = await tempDir('caselens-messages-cli-');
	dbPath = join(dir, 'cli.duckdb');
});
afterAll(async () => {
	await closeSharedDatabase();
	vi.unstubAllEnvs();
	await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli([...args, '--db', dbPath]);

/** Opens the file the CLI wrote (the CLI has closed it) for the duration of `read`. */
async function withDb<T>(read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
	const open = await openDatabase(dbPath);
	try {
		return await read(open.db);
	} finally {
		await open.close();
	}
}

async function write(name: string, content: string): Promise<string> {
	const path = join(dir, name);
	await writeFile(path, content);
	return path;
}

/** Stored messages and rejected rows of a batch, and its row in the history. */
async function stored(batchId: number) {
	return withDb(async (db) => {
		const counts = (
			await sql<{ messages: number; rejects: number }>`SELECT (SELECT count(*) FROM messages WHERE batch_id = ${batchId}) AS messages,
				(SELECT count(*) FROM rejected_rows WHERE batch_id = ${batchId}) AS rejects`.execute(db)
		).rows[0];
		const listed = (await listBatches(db)).find((b) => b.batch_id === batchId);
		return { messages: Number(counts.messages), rejects: Number(counts.rejects), listed, detail: await getBatch(db, batchId) };
	});
}

const ROLES = new Set(['customer', 'agent', 'system', 'bot']);

/** A count per key. */
function tally(keys: string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const k of keys) out[k] = (out[k] ?? 0) + 1;
	return out;
}

describe('caselens ingest --kind messages', () => {
	// Case CL-1 and CL-2 are imported as cases first; CL-3 is not, so its thread waits for its case.
	const messages = [
		{ case_id: 'CL-1', sent_at: '2024-05-01 09:00:00', author_role: 'customer', author_name: 'Ana', public: 'true', body: 'My order has not arrived' },
		{ case_id: 'CL-1', sent_at: '2024-05-01 09:20:00', author_role: 'agent', author_name: 'Bo', public: 'false', body: 'Checking with the carrier' },
		{ case_id: 'CL-1', sent_at: '2024-05-01 09:40:00', author_role: 'agent', author_name: 'Bo', public: 'true', body: 'It is on its way, sorry for the wait' },
		{ case_id: 'CL-2', sent_at: '2024-05-02T10:00:00Z', author_role: 'customer', author_name: 'Cy', public: '', body: 'Where is my refund?' },
		{ case_id: 'CL-2', sent_at: 'tomorrow', author_role: 'agent', author_name: 'Bo', public: 'true', body: 'Soon' },
		{ case_id: '', sent_at: '2024-05-02 11:00:00', author_role: 'agent', author_name: 'Bo', public: 'true', body: 'no case' },
		{ case_id: 'CL-3', sent_at: '2024-05-03 08:00:00', author_role: 'robot', author_name: 'R2', public: 'true', body: 'beep' },
		{ case_id: 'CL-3', sent_at: '2024-05-03 08:00:00', author_role: 'bot', author_name: 'Flow', public: 'true', body: '   ' },
		{ case_id: 'CL-3', sent_at: '2024-05-03 08:01:00', author_role: 'bot', author_name: 'Flow', public: 'true', body: 'We got your message' }
	];
	// What a message needs, read directly from the records: a case, a time, one of the four roles, a body.
	const valid = messages.filter((m) => m.case_id && !Number.isNaN(Date.parse(m.sent_at.replace(' ', 'T'))) && ROLES.has(m.author_role) && m.body.trim());

	test('canonical CSV with --format: counts as counted from the records, the format said, the batch listed as messages, the threads on the case page', async () => {
		const cases = await write('cl-cases.csv', 'case_id,created_at,first_response_at,status,region,category\nCL-1,2024-05-01 09:00:00,2024-05-01 09:40:00,solved,europe,delivery\nCL-2,2024-05-02 10:00:00,,open,europe,refund\n');
		const casesRun = await cli(['ingest', cases, '--kind', 'cases']);
		expect(casesRun.code, casesRun.err).toBe(0);

		const path = await write('cl-messages.csv', Papa.unparse(messages, { newline: '\n' }) + '\n');
		const text = await cli(['ingest', path, '--kind', 'messages', '--format', 'canonical']);
		expect(text.code, text.err).toBe(0);
		const [head, equation] = text.out.split('\n');
		expect(head).toMatch(/^cl-messages\.csv: batch \d+ \(messages, csv, utf-8, delimiter ","; format canonical, as given with --format\)$/);
		expect(equation).toBe(`  rows read ${messages.length} = accepted ${valid.length} + rejected ${messages.length - valid.length}`);
		expect(text.out).toContain(`  ${new Set(valid.map((m) => m.case_id)).size} cases with messages; 1 not yet in the cases table`);
		expect(text.out).toMatch(/  rejected 1x: case_id is empty \(required\)/);
		expect(text.out).toContain('first response: 2 of 2 cases agree with their first_response_at');
		const batchId = Number(/batch (\d+)/.exec(head)![1]);

		const s = await stored(batchId);
		expect([s.messages, s.rejects]).toEqual([valid.length, messages.length - valid.length]);
		expect(s.listed).toMatchObject({ kind: 'messages', status: 'committed', mapping_name: 'canonical', rows_read: messages.length, accepted: valid.length, rejected: messages.length - valid.length });
		expect(s.detail?.messages).toMatchObject({
			format: 'canonical',
			detected: false,
			cases: 3,
			roles: tally(valid.map((m) => m.author_role)),
			internal_notes: valid.filter((m) => m.public === 'false').length,
			unknown_cases: 1,
			sample_cases: ['CL-1', 'CL-2']
		});

		// The case page (its server load, as the browser receives it) shows the imported thread in time order.
		vi.stubEnv('CASELENS_DB', dbPath);
		const page = (await casePage({ params: { id: 'CL-1' }, locals: { user: { role: 'lead' } } } as unknown as Parameters<typeof casePage>[0])) as { thread: { messages: { body: string; author_role: string; is_public: boolean }[] } };
		const expected = valid.filter((m) => m.case_id === 'CL-1').sort((a, b) => Date.parse(a.sent_at) - Date.parse(b.sent_at));
		expect(page.thread.messages.map((m) => [m.author_role, m.is_public, m.body])).toEqual(expected.map((m) => [m.author_role, m.public !== 'false', m.body]));
		await closeSharedDatabase();

		// The same file again changes nothing and says which batch it was.
		const again = await cli(['ingest', path, '--kind', 'messages']);
		expect(again.code, again.err).toBe(0);
		expect(again.out).toBe(`cl-messages.csv: already imported as messages batch ${batchId}; nothing changed.`);
	});

	test('Zendesk ticket comments JSON, detected, with --users and --json: counts and roles as counted from the tickets', async () => {
		const users = [
			{ id: 1, role: 'end-user', name: 'Carla Díaz' },
			{ id: 2, role: 'agent', name: 'Dev Agent' }
		];
		const c = (id: number, author: number, at: string, body: string, isPublic = true) => ({ id, author_id: author, public: isPublic, body, created_at: at });
		const tickets = [
			{ ticket_id: 501, requester_id: 1, comments: [c(11, 1, '2024-06-01T10:00:00Z', 'Hola'), c(12, 2, '2024-06-01T10:05:00Z', 'Looking into it', false), c(13, 2, '2024-06-01T10:30:00Z', 'Sent again')] },
			{ ticket_id: 502, requester_id: 1, comments: [c(14, 1, 'not a time', 'x'), c(15, 3, '2024-06-02T09:00:00Z', 'Answer from someone the users file lacks')] },
			{ ticket_id: 503, requester_id: 1, comments: [] }
		];
		const usersPath = await write('users.json', JSON.stringify(users));
		const path = await write('ticket-comments.json', JSON.stringify(tickets, null, 1));

		const comments = tickets.flatMap((t) => t.comments.map((comment) => ({ ticket: t, comment })));
		const good = comments.filter(({ comment }) => !Number.isNaN(Date.parse(comment.created_at)));
		const roleOf = ({ ticket, comment }: (typeof comments)[number]) => {
			const role = users.find((u) => u.id === comment.author_id)?.role;
			return role ? (role === 'end-user' ? 'customer' : 'agent') : comment.author_id === ticket.requester_id ? 'customer' : 'agent';
		};

		const run = await cli(['ingest', path, '--kind', 'messages', '--users', usersPath, '--json']);
		expect(run.code, run.err).toBe(0);
		const s = JSON.parse(run.out) as MessageImportSummary;
		expect([s.kind, s.format, s.mapping, s.messages.format, s.messages.detected]).toEqual(['messages', 'json', 'zendesk_comments', 'zendesk_comments', true]);
		expect([s.rows_read, s.accepted, s.rejected]).toEqual([comments.length, good.length, comments.length - good.length]);
		expect(s.messages.cases).toBe(new Set(good.map((g) => g.ticket.ticket_id)).size);
		expect(s.messages.roles).toEqual(tally(good.map(roleOf)));
		expect(s.messages.internal_notes).toBe(good.filter((g) => !g.comment.public).length);
		expect(s.warnings.join(' ')).toContain('1 comments are by authors the users file does not list');
		expect(s.top_reasons.map((r) => [r.count, r.reason])).toEqual([[1, 'sent_at: "…" is not a timestamp (expected e.g. 2024-03-01 14:30:00 or ISO 8601)']]);

		const st = await stored(s.batch_id!);
		expect([st.messages, st.rejects]).toEqual([s.accepted, s.rejected]);
		expect(st.listed).toMatchObject({ kind: 'messages', status: 'committed', format: 'json', mapping_name: 'zendesk_comments' });
		const names = await withDb((db) => db.selectFrom('messages').select(['author_name', 'author_role']).where('case_id', '=', '501').orderBy('sequence').execute());
		expect(names).toEqual([
			{ author_name: 'Carla Díaz', author_role: 'customer' },
			{ author_name: 'Dev Agent', author_role: 'agent' },
			{ author_name: 'Dev Agent', author_role: 'agent' }
		]);
	});

	test('the Twitter support sample, detected: one message per tweet, one case per reply thread, as counted with papaparse', async () => {
		const path = join(EXTERNAL_DIR, 'twitter-support/sample.csv');
		const rows = Papa.parse<Record<string, string>>(await readFile(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
		const byId = new Map(rows.map((r) => [r.tweet_id, r]));
		const rootOf = (id: string): string => {
			let current = byId.get(id)!;
			for (let parent = byId.get(current.in_response_to_tweet_id); parent; parent = byId.get(current.in_response_to_tweet_id)) current = parent;
			return current.tweet_id;
		};
		const threads = new Set(rows.map((r) => rootOf(r.tweet_id)));

		const text = await cli(['ingest', path, '--kind', 'messages']);
		expect(text.code, text.err).toBe(0);
		expect(text.out.split('\n')[0]).toMatch(/^sample\.csv: batch \d+ \(messages, csv, utf-8, delimiter ","; format tweets, detected from its columns; --format to choose another\)$/);
		expect(text.out).toContain(`  rows read ${rows.length} = accepted ${rows.length} + rejected 0`);
		expect(text.out).toContain(`  ${threads.size} cases with messages`);
		expect(text.out).toContain(`  by author: customer ${rows.filter((r) => r.inbound === 'True').length}, agent ${rows.filter((r) => r.inbound === 'False').length}`);
		const batchId = Number(/batch (\d+)/.exec(text.out)![1]);
		const s = await stored(batchId);
		expect([s.messages, s.rejects]).toEqual([rows.length, 0]);
		expect(s.listed).toMatchObject({ kind: 'messages', status: 'committed', mapping_name: 'twitter', rows_read: rows.length });
		expect(s.detail?.messages).toMatchObject({ format: 'twitter', detected: true, cases: threads.size });
	});

	test('refusals: a format that does not fit the file commits nothing (exit 1); wrong options are usage errors (exit 2)', async () => {
		const before = await withDb(async (db) => (await listBatches(db)).filter((b) => b.status === 'committed').length);
		const path = await write('not-tweets.csv', 'case_id,sent_at,author_role,body\nZ1,2024-01-01 10:00:00,customer,hi\n');
		const wrong = await cli(['ingest', path, '--kind', 'messages', '--format', 'tweets', '--json']);
		expect(wrong.code).toBe(1);
		expect(JSON.parse(wrong.out)).toMatchObject({ code: 'missing_column', message: expect.stringContaining('tweet_id'), hint: expect.stringContaining('in_response_to_tweet_id') });
		const after = await withDb(async (db) => ({ committed: (await listBatches(db)).filter((b) => b.status === 'committed').length, z1: await db.selectFrom('messages').select('case_id').where('case_id', '=', 'Z1').execute() }));
		expect(after).toEqual({ committed: before, z1: [] });

		for (const [args, message] of [
			[['--format', 'xml'], '--format must be auto, canonical, zendesk-comments or tweets, not "xml"'],
			[['--mapping', 'x.json'], '--mapping: a messages file takes no column mapping'],
			[['--encoding', 'latin-1'], "a messages import detects the file's encoding itself"]
		] as const) {
			const run = await cli(['ingest', path, '--kind', 'messages', ...args]);
			expect(run.code).toBe(2);
			expect(run.err).toContain(message);
		}
		const casesWithFormat = await cli(['ingest', path, '--kind', 'cases', '--format', 'canonical']);
		expect([casesWithFormat.code, casesWithFormat.err.split('\n')[0]]).toEqual([2, 'caselens ingest: --format and --users are for --kind messages']);
	});
});
