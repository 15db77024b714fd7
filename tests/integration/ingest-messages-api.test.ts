import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { closeSharedDatabase, getDatabase } from '../../src/lib/core/db/database.server';
import { registryPath } from '../../src/lib/core/server-registry.server';
import type { MessageImportSummary } from '../../src/lib/conversations/import-messages.server';
import { listBatches } from '../../src/lib/imports/batches.server';
import { GET as listImports, POST as postImport } from '../../src/routes/api/imports/+server';
import { POST as postLookup } from '../../src/routes/api/imports/lookup/+server';
import { load as batchPage } from '../../src/routes/imports/[id]/+page.server';
import { GET as rejectedCsv } from '../../src/routes/imports/[id]/rejected.csv/+server';
import { holdDatabase, type LockHolder } from '../helpers/lock-holder';
import { tempDir } from '../helpers/ingest-fixture';
import { runCli } from '../helpers/run-cli';

// POST /api/imports?kind=messages as the upload page and the command line's hand-off call it: the
// endpoint's own handler over the process-wide database (CASELENS_DB), without a built server.

let dir: string;
beforeAll(async () => {
	dir = await tempDir('caselens-messages-api-');
	vi.stubEnv('CASELENS_DB', join(dir, 'server.duckdb'));
	vi.stubEnv('CASELENS_ARCHIVE_DIR', join(dir, 'archive'));
});
afterAll(async () => {
	await closeSharedDatabase();
	vi.unstubAllEnvs();
	await rm(dir, { recursive: true, force: true });
});

type Event<H extends (event: never) => unknown> = Parameters<H>[0];
const ADMIN = { user: { username: 'api-admin', role: 'admin' } };

/** The endpoint's answer to a file sent as the upload page sends it (raw body, options in the query). */
function post(query: string, body: string | Uint8Array<ArrayBuffer>, options: { ndjson?: boolean; fileName?: string } = {}): Promise<Response> {
	const url = new URL(`http://caselens.test/api/imports?${query}`);
	const request = new Request(url, {
		method: 'POST',
		body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
		headers: { 'content-type': 'application/octet-stream', accept: options.ndjson ? 'application/x-ndjson' : 'application/json', ...(options.fileName ? { 'x-file-name': encodeURIComponent(options.fileName) } : {}) }
	});
	return postImport({ request, url, locals: ADMIN } as unknown as Event<typeof postImport>) as Promise<Response>;
}

async function ndjsonLines(response: Response): Promise<Record<string, unknown>[]> {
	return (await response.text())
		.split('\n')
		.filter((line) => line.trim())
		.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Everything an import could have changed. */
async function snapshot() {
	const { db } = await getDatabase();
	const row = (
		await sql<{ messages: number; rejects: number; committed: number; audit: number }>`SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM rejected_rows) AS rejects,
			(SELECT count(*) FROM import_batches WHERE status = 'committed') AS committed, (SELECT count(*) FROM audit_log WHERE action = 'import') AS audit`.execute(db)
	).rows[0];
	return { messages: Number(row.messages), rejects: Number(row.rejects), committed: Number(row.committed), audit: Number(row.audit) };
}

const messages = [
	{ case_id: 'API-1', sent_at: '2024-07-01 08:00:00', author_role: 'customer', body: 'Package arrived broken' },
	{ case_id: 'API-1', sent_at: '2024-07-01 08:30:00', author_role: 'agent', body: 'We will send a new one' },
	{ case_id: 'API-2', sent_at: '2024-07-02 08:00:00', author_role: 'customer', body: 'Wrong size' },
	{ case_id: 'API-2', sent_at: '2024-07-02 25:00:00', author_role: 'agent', body: 'An hour that does not exist' },
	{ case_id: 'API-2', sent_at: '2024-07-02 09:00:00', author_role: 'manager', body: 'Not a role' }
];
const acceptedHere = messages.filter((m) => !Number.isNaN(Date.parse(m.sent_at.replace(' ', 'T'))) && ['customer', 'agent', 'system', 'bot'].includes(m.author_role));

describe('POST /api/imports?kind=messages', () => {
	let batchId: number;

	test('streams progress and ends with the summary; the batch is listed with kind messages and its rejected rows open and download like any other', async () => {
		const csv = Papa.unparse(messages, { newline: '\n' }) + '\n';
		const lines = await ndjsonLines(await post('kind=messages&format=canonical', csv, { ndjson: true, fileName: 'api-messages.csv' }));
		const progress = lines.filter((l) => l.progress).map((l) => l.progress as { stage: string; message: string });
		// Loading, then the server's kept tables brought up to date in the same transaction.
		expect(progress.map((p) => p.stage)).toEqual(['checking', 'writing', 'writing', 'done']);
		expect(progress[2].message).toBe('Bringing the kept views up to date');
		const summary = lines.at(-1)!.summary as MessageImportSummary;
		expect(summary).toMatchObject({ kind: 'messages', file_name: 'api-messages.csv', format: 'csv', mapping: 'canonical', rows_read: messages.length, accepted: acceptedHere.length, rejected: messages.length - acceptedHere.length });
		expect(summary.messages).toMatchObject({ format: 'canonical', detected: false, cases: 2, roles: { customer: 2, agent: 1 } });
		batchId = summary.batch_id!;

		const { db } = await getDatabase();
		const listed = (await listBatches(db)).find((b) => b.batch_id === batchId);
		expect(listed).toMatchObject({ kind: 'messages', status: 'committed', source: 'upload', imported_by: 'api-admin', rows_read: messages.length });
		const history = (await (await listImports({} as Event<typeof listImports>)).json()) as { batch_id: number; kind: string }[];
		expect(history.find((b) => b.batch_id === batchId)?.kind).toBe('messages');

		const page = (await batchPage({ params: { id: String(batchId) }, url: new URL(`http://caselens.test/imports/${batchId}`) } as unknown as Event<typeof batchPage>)) as {
			batch: { kind: string; messages?: { cases: number } };
			rejected: { total: number; rows: { line: number; reason: string; raw: string | null }[] };
		};
		expect([page.batch.kind, page.batch.messages?.cases]).toEqual(['messages', 2]);
		expect(page.rejected.total).toBe(2);
		// Line numbers count the header as line 1.
		expect(page.rejected.rows.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
			[5, 'sent_at'],
			[6, 'author_role']
		]);
		const download = await (await rejectedCsv({ params: { id: String(batchId) } } as unknown as Event<typeof rejectedCsv>)).text();
		const rows = Papa.parse<Record<string, string>>(download, { header: true, skipEmptyLines: true }).data;
		expect(rows.map((r) => r.line)).toEqual(['5', '6']);
		expect(rows[1].raw).toBe('API-2,2024-07-02 09:00:00,manager,Not a role');
	});

	test('a bad file answers a Problem with its code and hint, and changes nothing', async () => {
		const before = await snapshot();
		// No author_role column: not a messages file.
		const noRole = 'case_id,sent_at,body\nAPI-9,2024-07-03 10:00:00,hello\n';
		const plain = await post('kind=messages', noRole, { fileName: 'no-role.csv' });
		expect(plain.status).toBe(400);
		const problem = await plain.json();
		expect(problem).toEqual({ code: 'missing_column', message: 'The messages file no-role.csv has no column for author_role.', hint: expect.stringContaining('A messages file needs case_id, sent_at, author_role and body') });

		const streamed = await ndjsonLines(await post('kind=messages', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0xff, 0xfe, 0, 1]), { ndjson: true, fileName: 'messages.csv' }));
		const last = streamed.at(-1)!.problem as { code: string; message: string; hint: string };
		expect(last.code).toBe('binary_file');
		expect(last.hint.length).toBeGreaterThan(10);

		// Options are checked before the file is read.
		for (const [query, code, words] of [
			['kind=messages&format=xml', 'bad_request', 'format must be auto, canonical, zendesk-comments or tweets, not "xml"'],
			['kind=messages&preset=zendesk', 'bad_request', 'A messages import takes no column mapping: preset is for cases and feedback'],
			['kind=cases&format=tweets', 'bad_request', 'format= is for messages imports'],
			['kind=conversations', 'wrong_kind', '"cases", "feedback" or "messages"']
		] as const) {
			const response = await post(query, 'case_id,sent_at,author_role,body\nAPI-9,2024-07-03 10:00:00,customer,hi\n');
			const body = (await response.json()) as { code: string; message: string; hint: string };
			expect([response.status, body.code], query).toEqual([400, code]);
			expect(body.message).toContain(words);
			expect(body.hint.length).toBeGreaterThan(10);
		}
		// The failed files are in the history as failed, as for cases and feedback; nothing else moved.
		expect(await snapshot()).toEqual(before);
		const { db } = await getDatabase();
		expect(await db.selectFrom('messages').select('case_id').where('case_id', '=', 'API-9').execute()).toEqual([]);
		const failed = (await listBatches(db)).filter((b) => b.kind === 'messages' && b.status === 'failed').map((b) => b.file_name);
		expect(failed.sort()).toEqual(['messages.csv', 'no-role.csv']);
	});
});

/** A stand-in for the server process: the two import endpoints' handlers behind a local HTTP listener. */
function endpointServer(): Promise<{ server: Server; url: string; seen: string[] }> {
	const seen: string[] = [];
	const server = createServer((req: IncomingMessage, res) => {
		void (async () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			seen.push(`${req.method} ${url.pathname}${url.search}`);
			const headers = new Headers();
			for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
			const request = new Request(url, { method: req.method, headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } as RequestInit & { duplex: 'half' });
			const event = { request, url, locals: { user: { username: 'cli:tester', role: 'admin' } } };
			const response = url.pathname === '/api/imports/lookup' ? await postLookup(event as unknown as Event<typeof postLookup>) : await postImport(event as unknown as Event<typeof postImport>);
			res.writeHead(response.status, Object.fromEntries(response.headers));
			res.end(Buffer.from(await response.arrayBuffer()));
		})();
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })));
}

describe('caselens ingest --kind messages beside a running server', () => {
	let holder: LockHolder | undefined;
	let endpoint: Awaited<ReturnType<typeof endpointServer>> | undefined;
	afterAll(async () => {
		await holder?.stop();
		endpoint?.server.close();
	});

	test('a held database file: the file (and the Zendesk users export) go to the server, which imports them; printed as a local import prints it', async () => {
		// The CLI's file is held by another process, and a server is registered for it.
		const heldPath = join(dir, 'held.duckdb');
		holder = await holdDatabase(heldPath);
		endpoint = await endpointServer();
		await writeFile(registryPath(heldPath), JSON.stringify({ pid: holder.pid, url: endpoint.url, token: 'test-token', started_at: new Date().toISOString() }));

		const users = join(dir, 'zd-users.csv');
		await writeFile(users, 'id,role,name\n71,end-user,Rui\n72,agent,Sol\n');
		const comments = join(dir, 'zd-comments.ndjson');
		const ticket = (id: number, list: object[]) => JSON.stringify({ ticket_id: id, requester_id: 71, comments: list });
		await writeFile(comments, [ticket(8801, [{ id: 1, author_id: 71, public: true, body: 'Oi', created_at: '2024-08-01T10:00:00Z' }, { id: 2, author_id: 72, public: true, body: 'Olá Rui', created_at: '2024-08-01T10:10:00Z' }])].join('\n') + '\n');

		const json = await runCli(['ingest', comments, '--kind', 'messages', '--format', 'zendesk-comments', '--users', users, '--json', '--db', heldPath]);
		expect(json.code, json.err).toBe(0);
		const summary = JSON.parse(json.out) as MessageImportSummary;
		expect(summary).toMatchObject({ kind: 'messages', format: 'ndjson', rows_read: 2, accepted: 2, rejected: 0, messages: { format: 'zendesk_comments', detected: false, cases: 1, roles: { customer: 1, agent: 1 } } });
		expect(summary.warnings.join(' ')).not.toContain('No users file');
		expect(endpoint.seen).toEqual(['POST /api/imports/lookup', expect.stringMatching(/^POST \/api\/imports\?kind=messages&format=zendesk-comments&lookups=users%3A[0-9a-f-]{36}$/)]);

		// Written by the server's process into its database, with the names from the users export.
		const { db } = await getDatabase();
		expect(await db.selectFrom('messages').select(['author_name', 'author_role']).where('case_id', '=', '8801').orderBy('sequence').execute()).toEqual([
			{ author_name: 'Rui', author_role: 'customer' },
			{ author_name: 'Sol', author_role: 'agent' }
		]);
		expect((await listBatches(db)).find((b) => b.batch_id === summary.batch_id)).toMatchObject({ kind: 'messages', status: 'committed', mapping_name: 'zendesk_comments' });

		// Text output, and the same file again: the server's answer, printed as locally.
		const again = await runCli(['ingest', comments, '--kind', 'messages', '--format', 'zendesk-comments', '--users', users, '--db', heldPath]);
		expect(again.code, again.err).toBe(0);
		expect(again.out).toBe(`zd-comments.ndjson: already imported as messages batch ${summary.batch_id}; nothing changed.`);
		expect(again.err).toContain(`(the server holds ${heldPath}; imported through it)`);

		// A refusal comes back as the server's own Problem.
		const bad = join(dir, 'bad.csv');
		await writeFile(bad, 'case_id,body\nx,y\n');
		const refused = await runCli(['ingest', bad, '--kind', 'messages', '--json', '--db', heldPath]);
		expect(refused.code).toBe(1);
		expect(JSON.parse(refused.out)).toMatchObject({ code: 'missing_column', hint: expect.stringContaining('A messages file needs') });
	});
});
