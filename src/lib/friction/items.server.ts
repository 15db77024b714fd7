import { AppError } from '../core/errors';
import { can } from '../core/auth/access-rules';
import { maskPersonalData } from '../core/mask-personal-data';
import type { Role } from '../core/auth/roles';
import type { Kysely } from 'kysely';
import { isItemStatus, ITEM_KINDS, OWNER_ROLES, parseStructuralSubject, type ItemKind, type ItemStatus } from './items';
import { recordAudit } from '../core/audit-log.server';
import type { Database } from '../core/db/schema';
import { isThemeSource } from './documents-sql.server';
import { isStructuralDimension, isStructuralMetric } from './structural-metrics';

/** A refused change, with a sentence for the person who tried it. */
export class FrictionItemError extends AppError {
	constructor(message: string, hint = '') {
		super('refused', message, hint);
	}
}

export interface FrictionItem {
	item_id: number;
	kind: ItemKind;
	subject: string;
	source: string | null;
	title: string;
	scope: string;
	owner: string | null;
	status: ItemStatus;
	fix_date: string | null;
	created_by: string;
	created_at: Date;
	updated_at: Date;
}

export interface ItemEvent {
	event_id: number;
	at: Date;
	actor: string;
	kind: 'created' | 'status' | 'owner' | 'fix_date' | 'note';
	from_value: string | null;
	to_value: string | null;
	note: string | null;
}

export interface NewItem {
	kind: string;
	subject: string;
	source?: string | null;
	title: string;
	scope?: string;
	owner?: string | null;
}

export interface ItemChange {
	status?: string;
	owner?: string | null;
	fix_date?: string | null;
	note?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_NOTE = 4000;

function isoDate(d: Date): string {
	return d.toISOString().slice(0, 10);
}

function validDate(value: string): boolean {
	if (!DATE.test(value)) return false;
	const d = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && isoDate(d) === value;
}

/** Users who can own an item: active accounts with an owner role. */
export async function ownerCandidates(db: Kysely<Database>): Promise<{ username: string; display_name: string; role: string }[]> {
	return db
		.selectFrom('users')
		.select(['username', 'display_name', 'role'])
		.where('disabled', '=', false)
		.where('role', 'in', [...OWNER_ROLES])
		.orderBy('username')
		.execute();
}

async function checkOwner(db: Kysely<Database>, owner: string | null | undefined): Promise<string | null> {
	if (!owner) return null;
	const candidates = await ownerCandidates(db);
	if (!candidates.some((c) => c.username === owner)) throw new FrictionItemError(`"${owner}" cannot own friction items: choose an active ${OWNER_ROLES.join(', ')} account.`);
	return owner;
}

function checkSubject(input: NewItem): void {
	if (!(ITEM_KINDS as readonly string[]).includes(input.kind)) throw new FrictionItemError('Say whether the item is a theme or a structural point.');
	if (!input.subject.trim() || input.subject.length > 500) throw new FrictionItemError('The item needs a theme or a structural point (at most 500 characters).');
	if (input.kind === 'theme' && !isThemeSource(input.source)) throw new FrictionItemError('A theme item needs its source: comments or subjects.');
	if (input.kind === 'structural') {
		const parsed = parseStructuralSubject(input.subject);
		if (!parsed || !isStructuralMetric(parsed.metric) || !isStructuralDimension(parsed.dimension)) throw new FrictionItemError('A structural item is a metric, a dimension and a value, e.g. reopen:category:defect.');
	}
}

/**
 * Flags a theme or structural point. The same subject under the same filters is one item: asking
 * again returns the existing one instead of a duplicate.
 */
export async function createItem(db: Kysely<Database>, input: NewItem, actor: string): Promise<{ item_id: number; existed: boolean }> {
	checkSubject(input);
	const owner = await checkOwner(db, input.owner);
	const title = input.title.trim().slice(0, 200) || input.subject;
	const source = input.kind === 'theme' ? (input.source ?? null) : null;
	const scope = input.scope ?? '';
	return db.transaction().execute(async (trx) => {
		let existing = trx.selectFrom('friction_items').select('item_id').where('kind', '=', input.kind).where('subject', '=', input.subject).where('scope', '=', scope);
		existing = source === null ? existing.where('source', 'is', null) : existing.where('source', '=', source);
		const found = await existing.executeTakeFirst();
		if (found) return { item_id: found.item_id, existed: true };
		const now = new Date();
		const row = await trx
			.insertInto('friction_items')
			.values({ kind: input.kind, subject: input.subject, source, title, scope, owner, status: 'new', fix_date: null, created_by: actor, created_at: now, updated_at: now })
			.returning('item_id')
			.executeTakeFirstOrThrow();
		await trx.insertInto('friction_item_events').values({ item_id: row.item_id, at: now, actor, kind: 'created', from_value: null, to_value: 'new', note: null }).execute();
		await recordAudit(trx, { actor, action: 'friction.item.create', target: `friction item ${row.item_id}`, after: { kind: input.kind, subject: input.subject, source, title, scope, owner, status: 'new' } });
		return { item_id: row.item_id, existed: false };
	});
}

export async function listItems(db: Kysely<Database>): Promise<FrictionItem[]> {
	const rows = await db.selectFrom('friction_items').selectAll().orderBy('updated_at', 'desc').orderBy('item_id', 'desc').execute();
	return rows as FrictionItem[];
}

export async function getItem(db: Kysely<Database>, itemId: number): Promise<{ item: FrictionItem; events: ItemEvent[] } | null> {
	const item = await db.selectFrom('friction_items').selectAll().where('item_id', '=', itemId).executeTakeFirst();
	if (!item) return null;
	const events = await db.selectFrom('friction_item_events').select(['event_id', 'at', 'actor', 'kind', 'from_value', 'to_value', 'note']).where('item_id', '=', itemId).orderBy('event_id').execute();
	return { item: item as FrictionItem, events: events as ItemEvent[] };
}

/**
 * Changes an item: status, owner, fix date and a note, each recorded as an event of the item's
 * append-only history and in the audit trail, in one transaction. Moving to "fixed" without a fix
 * date sets it to today, since the before/after comparison needs one.
 */
export async function updateItem(db: Kysely<Database>, itemId: number, change: ItemChange, actor: string, today = new Date()): Promise<FrictionItem> {
	const current = await getItem(db, itemId);
	if (!current) throw new FrictionItemError(`There is no friction item ${itemId}.`);
	const item = current.item;
	const next: Partial<Pick<FrictionItem, 'status' | 'owner' | 'fix_date'>> = {};
	if (change.status !== undefined && change.status !== item.status) {
		if (!isItemStatus(change.status)) throw new FrictionItemError(`"${change.status}" is not a status.`);
		next.status = change.status;
	}
	if (change.owner !== undefined && (change.owner || null) !== item.owner) next.owner = await checkOwner(db, change.owner);
	if (change.fix_date !== undefined && (change.fix_date || null) !== item.fix_date) {
		if (change.fix_date && !validDate(change.fix_date)) throw new FrictionItemError('The fix date must be a date (YYYY-MM-DD).');
		next.fix_date = change.fix_date || null;
	}
	if (next.status === 'fixed' && !(next.fix_date ?? item.fix_date)) next.fix_date = isoDate(today);
	const note = (change.note ?? '').trim();
	if (note.length > MAX_NOTE) throw new FrictionItemError(`A note holds at most ${MAX_NOTE} characters.`);
	if (!Object.keys(next).length && !note) throw new FrictionItemError('Nothing to change: pick a new status, owner or fix date, or write a note.');
	const now = new Date();
	await db.transaction().execute(async (trx) => {
		await trx.updateTable('friction_items').set({ ...next, updated_at: now }).where('item_id', '=', itemId).execute();
		const event = (kind: ItemEvent['kind'], from: string | null, to: string | null, text: string | null = null) =>
			trx.insertInto('friction_item_events').values({ item_id: itemId, at: now, actor, kind, from_value: from, to_value: to, note: text }).execute();
		if (next.status !== undefined) await event('status', item.status, next.status);
		if (next.owner !== undefined) await event('owner', item.owner, next.owner);
		if (next.fix_date !== undefined) await event('fix_date', item.fix_date, next.fix_date);
		if (note) await event('note', null, null, note);
		const before = Object.fromEntries(Object.keys(next).map((k) => [k, item[k as keyof typeof next]]));
		await recordAudit(trx, {
			actor,
			action: next.status !== undefined ? 'friction.item.status' : Object.keys(next).length ? 'friction.item.update' : 'friction.item.note',
			target: `friction item ${itemId}`,
			before: Object.keys(next).length ? before : undefined,
			after: { ...next, ...(note ? { note } : {}) }
		});
	});
	return { ...item, ...next, updated_at: now };
}

/**
 * An item's title as a role may read it: titles are typed from themes and comments and can carry
 * a phone number or an e-mail address, which viewers see masked like the comments themselves.
 */
export function titleFor<T extends { title: string }>(item: T, role: Role | undefined): T {
	return can(role, 'personal_data.unmasked') ? item : { ...item, title: maskPersonalData(item.title) };
}
