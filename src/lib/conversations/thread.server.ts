import type { Kysely } from 'kysely';
import type { Role } from '../core/auth/roles';
import { can } from '../core/auth/access-rules';
import type { Database } from '../core/db/schema';
import { maskIdentifier, maskPersonalData } from '../core/mask-personal-data';
import type { ThreadMessage } from './model';

/** A thread longer than this shows its first messages and says how many more there are. */
export const THREAD_LIMIT = 500;

export interface CaseThread {
	messages: ThreadMessage[];
	/** Messages beyond THREAD_LIMIT, not sent to the page. */
	more: number;
}

/**
 * A case's messages in order. For a role that sees personal data masked (as the case's own fields,
 * src/lib/cases/case-detail.server.ts), bodies are masked like comments and a customer's name is
 * shortened like a customer id; agents, bots and the system are not customers and keep their names.
 */
export async function caseThread(db: Kysely<Database>, caseId: string, role: Role): Promise<CaseThread> {
	const rows = await db
		.selectFrom('messages')
		.select(['sequence', 'sent_at', 'author_role', 'author_name', 'is_public', 'body'])
		.where('case_id', '=', caseId)
		.orderBy('sequence')
		.limit(THREAD_LIMIT + 1)
		.execute();
	const masked = !can(role, 'personal_data.unmasked');
	const messages = rows.slice(0, THREAD_LIMIT).map((m) => ({
		...m,
		author_name: masked && m.author_role === 'customer' ? maskIdentifier(m.author_name) : m.author_name,
		body: masked ? maskPersonalData(m.body) : m.body
	}));
	let more = 0;
	if (rows.length > THREAD_LIMIT) {
		const total = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('case_id', '=', caseId).executeTakeFirstOrThrow();
		more = Number(total.n) - THREAD_LIMIT;
	}
	return { messages, more };
}
