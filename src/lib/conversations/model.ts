/**
 * Conversations: the messages of a case's thread. Browser-safe (the case page renders the thread
 * with these types and formats); the import and the SQL live in the *.server.ts files beside it.
 */
import type { Selectable } from 'kysely';
import type { MessagesTable } from '../core/db/schema';

export const AUTHOR_ROLES = ['customer', 'agent', 'system', 'bot'] as const;
export type AuthorRole = (typeof AUTHOR_ROLES)[number];

/** The formats a messages import reads (import-messages.server.ts). */
export const MESSAGE_FORMATS = ['canonical', 'zendesk_comments', 'twitter'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/**
 * The format a file's columns (CSV header, keys of the first JSON record) say it is: Zendesk
 * comments by their `comments` list, tweets by their reply link, anything else canonical. The
 * import decides with it when no format is named; the upload page shows the same guess.
 */
export function detectMessageFormat(headers: readonly string[]): MessageFormat {
	const set = new Set(headers.map((h) => h.trim().toLowerCase()));
	if (set.has('comments') && (set.has('ticket_id') || set.has('id'))) return 'zendesk_comments';
	if (set.has('tweet_id') && set.has('in_response_to_tweet_id')) return 'twitter';
	return 'canonical';
}

/** The first response a case's thread gives, against the case's own first_response_at (first-response.server.ts). */
export interface FirstResponseComparison {
	/** Cases of the import that are in the cases table. */
	compared: number;
	/** Both empty, or within a minute of each other (help desks round reply times to minutes). */
	same: number;
	/** different_time + only_case + only_messages. */
	differ: number;
	different_time: number;
	/** The case has a first_response_at, the thread no public agent reply after the customer's first message. */
	only_case: number;
	/** The thread has a reply, the case no first_response_at. */
	only_messages: number;
	/** Up to five differing cases. */
	examples: { case_id: string; case_first_response_at: Date | null; derived_first_response_at: Date | null }[];
}

/** What only a messages import reports, beside the counts every batch has (imports/batch-summary.ts). */
export interface MessagesOutcome {
	/** The layout the file was read as. */
	format: MessageFormat;
	/** True when the format was recognised from the file's columns, false when it was named. */
	detected: boolean;
	/** Cases with at least one accepted message in this import. */
	cases: number;
	/** Of those, cases that had messages from an earlier import, now replaced (the batch's `replaced` counts the messages). */
	replaced_cases: number;
	/** Accepted messages per author role. */
	roles: Record<string, number>;
	internal_notes: number;
	/** Cases of this import not (yet) in the cases table: their threads are kept and show once the case is imported. */
	unknown_cases: number;
	/** Up to five case ids of this import that are in the cases table, to open their threads. */
	sample_cases: string[];
	/** The cases' first_response_at against the one derived from the messages (nothing is overwritten). */
	first_response: FirstResponseComparison;
}

export interface MessageColumn {
	name: 'case_id' | 'sent_at' | 'author_role' | 'body' | 'sequence' | 'author_name' | 'public' | 'message_id';
	required?: boolean;
	/** Other header spellings of the column (compared after normaliseHeader in imports/canonical-columns.ts). */
	aliases: readonly string[];
	description: string;
}

/** The canonical messages file (CSV, NDJSON or a JSON array of flat records). */
export const MESSAGE_COLUMNS: readonly MessageColumn[] = [
	{ name: 'case_id', required: true, aliases: ['ticket id', 'ticket', 'case'], description: 'the case the message belongs to' },
	{ name: 'sent_at', required: true, aliases: ['created at', 'time', 'timestamp', 'date', 'sent'], description: 'when it was written (UTC; ISO 8601 offsets are converted)' },
	{ name: 'author_role', required: true, aliases: ['role', 'author type', 'author'], description: 'customer, agent, system or bot (end-user / requester read as customer, admin as agent, automation as bot)' },
	{ name: 'body', required: true, aliases: ['text', 'message', 'content', 'plain body', 'comment'], description: 'the text' },
	{ name: 'sequence', aliases: ['seq', 'position', 'order'], description: 'order within the case, for messages written in the same second (the time decides first)' },
	{ name: 'author_name', aliases: ['author', 'name', 'from'], description: 'who wrote it' },
	{ name: 'public', aliases: ['is public', 'visibility'], description: 'true for a message the customer sees, false for an internal note (public / internal also read); empty = public' },
	{ name: 'message_id', aliases: ['id', 'comment id', 'tweet id'], description: "the message's id in the source" }
];

/** One message as the case page shows it (personal data already masked where the role needs it). */
export type ThreadMessage = Pick<Selectable<MessagesTable>, 'sequence' | 'sent_at' | 'author_role' | 'author_name' | 'is_public' | 'body'>;

export const ROLE_LABELS: Record<AuthorRole, string> = { customer: 'Customer', agent: 'Agent', system: 'System', bot: 'Bot' };

export function roleLabel(role: string): string {
	return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}

/** Counts per author role in the thread's own order (customer, agent, system, bot), for summaries. */
export function rolesInOrder(roles: Record<string, number>): [string, number][] {
	const rank = (role: string) => {
		const at = (AUTHOR_ROLES as readonly string[]).indexOf(role);
		return at < 0 ? AUTHOR_ROLES.length : at;
	};
	return Object.entries(roles).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * A time relative to the case opening, as the thread shows it: "+0 min", "+45 min",
 * "+2 h 10 min", "+3 d 4 h"; a message before the opening (a clock skew between systems) gets "−".
 */
export function formatSinceOpening(ms: number): string {
	const sign = ms < 0 ? '−' : '+';
	const minutes = Math.floor(Math.abs(ms) / 60_000);
	if (minutes < 60) return `${sign}${minutes} min`;
	const hours = Math.floor(minutes / 60);
	if (hours < 48) return `${sign}${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
	const days = Math.floor(hours / 24);
	return `${sign}${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}
