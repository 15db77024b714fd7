import type { Kysely, Transaction } from 'kysely';
import type { Database } from './db/schema';

export interface AuditEntry {
	actor: string;
	action: string;
	target?: string;
	before?: unknown;
	after?: unknown;
}

export interface AuditRecord {
	audit_id: number;
	at: Date;
	actor: string;
	action: string;
	target: string | null;
	before_json: string | null;
	after_json: string | null;
}

/**
 * The only way anything is written to the audit trail: an insert, inside the caller's
 * transaction so the record and the change stand or fall together. There is deliberately no
 * update or delete function, and no route writes to the table.
 */
export async function recordAudit(db: Kysely<Database> | Transaction<Database>, entry: AuditEntry): Promise<void> {
	await db
		.insertInto('audit_log')
		.values({
			at: new Date(),
			actor: entry.actor,
			action: entry.action,
			target: entry.target ?? null,
			before_json: entry.before === undefined ? null : JSON.stringify(entry.before),
			after_json: entry.after === undefined ? null : JSON.stringify(entry.after)
		})
		.execute();
}

export interface AuditFilter {
	actor?: string;
	action?: string;
	search?: string;
	limit?: number;
	offset?: number;
}

export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<{ rows: AuditRecord[]; total: number; actions: string[] }> {
	let query = db.selectFrom('audit_log');
	if (filter.actor) query = query.where('actor', '=', filter.actor);
	if (filter.action) query = query.where('action', '=', filter.action);
	if (filter.search) {
		const like = `%${filter.search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) => eb.or([eb('target', 'ilike', like), eb('before_json', 'ilike', like), eb('after_json', 'ilike', like)]));
	}
	const [rows, total, actions] = await Promise.all([
		query.selectAll().orderBy('audit_id', 'desc').limit(filter.limit ?? 100).offset(filter.offset ?? 0).execute(),
		query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
		db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute()
	]);
	return { rows, total: total.n, actions: actions.map((a) => a.action) };
}
