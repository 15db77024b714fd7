import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { IngestError } from '../imports/ingest-error';
import { normaliseHeader } from '../imports/canonical-columns';

/**
 * Exports whose records are not one message each (a Zendesk ticket with its comments, a tweet that
 * only names the tweet it answers) are turned into the canonical message rows here, in Node, and
 * written to a staging CSV that the import reads like any canonical file. Each staged row keeps the
 * line and the text of the record it came from, and a `note` when the record cannot be a message,
 * so that the import's one rule still holds: rows read = accepted + rejected.
 */
export const STAGED_COLUMNS = ['line', 'raw', 'note', 'case_id', 'sequence', 'sent_at', 'author_role', 'author_name', 'public', 'body', 'message_id'] as const;
type StagedRow = Record<(typeof STAGED_COLUMNS)[number], string>;

export interface StagedFile {
	/** Rows written (each one input record: a comment, a tweet, or a record that could not be split into any). */
	rows: number;
	warnings: string[];
}

function staged(values: Partial<StagedRow>): string[] {
	return STAGED_COLUMNS.map((c) => values[c] ?? '');
}

async function writeStaged(path: string, rows: string[][]): Promise<void> {
	await writeFile(path, Papa.unparse({ fields: [...STAGED_COLUMNS], data: rows }, { newline: '\n', quotes: true }) + '\n');
}

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

// ---------------------------------------------------------------------------------------------
// Zendesk ticket comments: {"ticket_id", "requester_id"?, "comments": [{"id", "author_id", "public", "body", "created_at"}]}
// ---------------------------------------------------------------------------------------------

interface ZendeskUser {
	role: 'customer' | 'agent';
	name: string | null;
}

/** Zendesk's user roles: end-user is the customer; agents and admins answer. */
function zendeskRole(role: string): ZendeskUser['role'] | undefined {
	const r = role.trim().toLowerCase();
	if (r === 'end-user' || r === 'end_user' || r === 'enduser' || r === 'customer') return 'customer';
	if (r === 'agent' || r === 'admin') return 'agent';
	return undefined;
}

/** The users export (JSON array, {"users": [...]}, NDJSON or CSV with id, role, name): id -> role and name. */
export async function readZendeskUsers(path: string): Promise<Map<string, ZendeskUser>> {
	const content = await readFile(path, 'utf8');
	const trimmed = content.replace(/^\uFEFF/, '').trimStart();
	let records: Record<string, unknown>[];
	if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
		try {
			const whole = JSON.parse(trimmed) as unknown;
			records = Array.isArray(whole) ? whole : Array.isArray((whole as { users?: unknown }).users) ? (whole as { users: Record<string, unknown>[] }).users : [whole as Record<string, unknown>];
		} catch {
			records = trimmed.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
		}
	} else {
		const parsed = Papa.parse<Record<string, string>>(trimmed, { header: true, skipEmptyLines: true, transformHeader: (h) => normaliseHeader(h).replace(/ /g, '_') });
		records = parsed.data;
	}
	const users = new Map<string, ZendeskUser>();
	for (const r of records) {
		const id = text(r.id ?? r.user_id).trim();
		const role = zendeskRole(text(r.role));
		if (id && role) users.set(id, { role, name: text(r.name).trim() || null });
	}
	if (users.size === 0) throw new IngestError('missing_column', 'The users file has no user with an id and a role (end-user, agent or admin).', "Give Zendesk's users export (JSON or CSV with the columns id, role and name).");
	return users;
}

interface TicketRecord {
	line: number;
	raw: string;
	ticket?: Record<string, unknown>;
	error?: string;
}

async function* ticketRecords(path: string, format: 'json' | 'ndjson'): AsyncGenerator<TicketRecord> {
	if (format === 'json') {
		const whole = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, '')) as unknown;
		const list = Array.isArray(whole) ? whole : Array.isArray((whole as { tickets?: unknown }).tickets) ? (whole as { tickets: unknown[] }).tickets : [whole];
		let line = 0;
		for (const item of list) {
			line++;
			if (item && typeof item === 'object' && !Array.isArray(item)) yield { line, raw: '', ticket: item as Record<string, unknown> };
			else yield { line, raw: text(item), error: 'the record is not a ticket object' };
		}
		return;
	}
	const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
	let line = 0;
	for await (const content of lines) {
		line++;
		const body = line === 1 ? content.replace(/^\uFEFF/, '') : content;
		if (body.trim() === '') continue;
		try {
			const parsed = JSON.parse(body) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) yield { line, raw: body, ticket: parsed as Record<string, unknown> };
			else yield { line, raw: body, error: 'the line is not a ticket object' };
		} catch (error) {
			yield { line, raw: body, error: `the line is not valid JSON (${(error as Error).message})` };
		}
	}
}

/**
 * One staged row per comment. Author roles come from the users export when it is given; without
 * it (or for an author it does not list) the ticket's requester is the customer and every other
 * author an agent, which the summary says, with the count. A ticket that appears again later in
 * the file is an older copy: its comments are rejected in favour of the later one.
 */
export async function stageZendeskComments(path: string, format: 'json' | 'ndjson', out: string, users?: Map<string, ZendeskUser>): Promise<StagedFile> {
	const lastLine = new Map<string, number>();
	for await (const r of ticketRecords(path, format)) {
		const id = r.ticket ? text(r.ticket.ticket_id ?? r.ticket.id).trim() : '';
		if (id) lastLine.set(id, r.line);
	}
	const rows: string[][] = [];
	let inferred = 0;
	let requesterFromFirst = 0;
	let emptyTickets = 0;
	for await (const r of ticketRecords(path, format)) {
		if (!r.ticket) {
			rows.push(staged({ line: String(r.line), raw: r.raw, note: r.error }));
			continue;
		}
		const ticket = r.ticket;
		const ticketId = text(ticket.ticket_id ?? ticket.id).trim();
		const comments = ticket.comments;
		if (!Array.isArray(comments)) {
			rows.push(staged({ line: String(r.line), raw: r.raw || JSON.stringify(ticket), case_id: ticketId, note: 'the ticket has no "comments" list' }));
			continue;
		}
		if (comments.length === 0) emptyTickets++;
		const later = ticketId ? lastLine.get(ticketId) : undefined;
		const replacedBy = later !== undefined && later !== r.line ? `ticket_id "${ticketId}" appears again later in this file (line ${later}), which replaces it` : '';
		let requester = text(ticket.requester_id ?? ticket.submitter_id).trim();
		if (!requester && comments.length) {
			requester = text((comments[0] as Record<string, unknown>)?.author_id).trim();
			requesterFromFirst++;
		}
		comments.forEach((item, i) => {
			const comment = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
			const author = text(comment.author_id).trim();
			const user = users?.get(author);
			let role = user?.role;
			if (!role && author) {
				role = author === requester ? 'customer' : 'agent';
				inferred++;
			}
			const body = comment.body ?? comment.plain_body;
			rows.push(
				staged({
					line: String(r.line),
					raw: JSON.stringify({ ticket_id: ticket.ticket_id ?? ticket.id, ...comment }),
					note: replacedBy || (author ? '' : 'the comment has no author_id'),
					case_id: ticketId,
					sequence: String(i + 1),
					sent_at: text(comment.created_at),
					author_role: role ?? '',
					author_name: user?.name ?? author,
					public: comment.public === undefined ? '' : text(comment.public),
					body: text(body),
					message_id: text(comment.id)
				})
			);
		});
	}
	await writeStaged(out, rows);
	const warnings: string[] = [];
	if (inferred > 0) {
		warnings.push(
			users
				? `${inferred.toLocaleString('en')} comments are by authors the users file does not list: their role was inferred (the ticket's requester is the customer, anyone else an agent).`
				: `No users file was given, so author roles were inferred for ${inferred.toLocaleString('en')} comments: the ticket's requester (requester_id) is the customer, every other author an agent. Give the Zendesk users export to read roles (and names) from it.`
		);
	}
	if (requesterFromFirst > 0) warnings.push(`${requesterFromFirst.toLocaleString('en')} tickets have no requester_id: the author of their first comment was taken as the requester.`);
	if (emptyTickets > 0) warnings.push(`${emptyTickets.toLocaleString('en')} tickets have no comments (nothing to import for them).`);
	return { rows: rows.length, warnings };
}

// ---------------------------------------------------------------------------------------------
// Twitter customer-support threads: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id
// ---------------------------------------------------------------------------------------------

const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

/** Twitter's `Tue Oct 31 22:10:47 +0000 2017` as ISO 8601 (the import converts the offset); other text is left for the import to judge. */
export function twitterTime(value: string): string {
	const m = /^\w{3} (\w{3}) (\d{1,2}) (\d\d:\d\d:\d\d) ([+-]\d{4}) (\d{4})$/.exec(value.trim());
	if (!m || !MONTHS[m[1]]) return value;
	return `${m[5]}-${MONTHS[m[1]]}-${m[2].padStart(2, '0')}T${m[3]}${m[4].slice(0, 3)}:${m[4].slice(3)}`;
}

/** Tweet id -> the root of its thread: the earliest tweet up its reply chain that is in the file; undefined for a chain that loops. */
export function threadRoots(parentOf: ReadonlyMap<string, string>): Map<string, string | undefined> {
	const roots = new Map<string, string | undefined>();
	for (const start of parentOf.keys()) {
		const path: string[] = [];
		const seen = new Set<string>();
		let current = start;
		let root: string | undefined;
		for (;;) {
			if (roots.has(current)) {
				root = roots.get(current);
				break;
			}
			if (seen.has(current)) break; // a loop: no root
			seen.add(current);
			path.push(current);
			const parent = parentOf.get(current);
			if (!parent || !parentOf.has(parent)) {
				root = current;
				break;
			}
			current = parent;
		}
		for (const id of path) roots.set(id, root);
	}
	return roots;
}

/**
 * One staged row per tweet. Threads are built by following in_response_to_tweet_id up to the
 * root tweet (the first of the chain present in the file: a sample often lacks the real first
 * tweet); the root's tweet_id is the case id. inbound True is the customer, False the brand's agent.
 */
export async function stageTwitterThreads(path: string, out: string): Promise<StagedFile> {
	const parsed = Papa.parse<string[]>((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''), { skipEmptyLines: true });
	const [header = [], ...records] = parsed.data;
	const names = { id: 'tweet_id', author: 'author_id', inbound: 'inbound', created: 'created_at', text: 'text', parent: 'in_response_to_tweet_id' } as const;
	const index = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
	const col = { id: index(names.id), author: index(names.author), inbound: index(names.inbound), created: index(names.created), text: index(names.text), parent: index(names.parent) };
	const missing = (Object.keys(col) as (keyof typeof col)[]).filter((k) => col[k] < 0).map((k) => names[k]);
	if (missing.length) {
		throw new IngestError('missing_column', `The Twitter file lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`, 'Give the thread export with tweet_id, author_id, inbound, created_at, text and in_response_to_tweet_id.');
	}
	const splitErrors = new Map<number, string>();
	for (const e of parsed.errors) if (e.row !== undefined && e.row > 0) splitErrors.set(e.row - 1, `the CSV reader could not split this record: ${e.message}`);
	const lastIndex = new Map<string, number>();
	records.forEach((r, i) => {
		const id = (r[col.id] ?? '').trim();
		if (id && !splitErrors.has(i)) lastIndex.set(id, i);
	});
	const parentOf = new Map<string, string>();
	for (const [id, i] of lastIndex) parentOf.set(id, (records[i][col.parent] ?? '').trim().split(',')[0].trim());
	const roots = threadRoots(parentOf);
	let loops = 0;
	const rows = records.map((r, i) => {
		const id = (r[col.id] ?? '').trim();
		const inbound = (r[col.inbound] ?? '').trim().toLowerCase();
		const root = roots.get(id);
		let note = splitErrors.get(i) ?? '';
		if (!note && !id) note = 'tweet_id is empty';
		else if (!note && lastIndex.get(id) !== i) note = `tweet_id "${id}" appears again later in this file (line ${(lastIndex.get(id) ?? 0) + 2}), which replaces it`;
		else if (!note && root === undefined) {
			note = `the reply chain of tweet "${id}" loops back on itself, so it has no first tweet`;
			loops++;
		} else if (!note && inbound !== 'true' && inbound !== 'false') note = `inbound "${r[col.inbound] ?? ''}" is not True or False`;
		return staged({
			// Records are numbered like the case import numbers CSV records: the header is line 1.
			line: String(i + 2),
			raw: Papa.unparse([r], { newline: '\n' }),
			note,
			case_id: root ?? '',
			sent_at: twitterTime(r[col.created] ?? ''),
			author_role: inbound === 'true' ? 'customer' : inbound === 'false' ? 'agent' : '',
			author_name: (r[col.author] ?? '').trim(),
			public: 'true',
			body: r[col.text] ?? '',
			message_id: id
		});
	});
	await writeStaged(out, rows);
	const threads = new Set([...roots.values()].filter((v) => v !== undefined)).size;
	const warnings = [`${threads.toLocaleString('en')} threads built from reply links (in_response_to_tweet_id); each thread's first tweet in the file gives the case id.`];
	if (loops) warnings.push(`${loops} tweets are in reply chains that loop and were rejected.`);
	return { rows: rows.length, warnings };
}
