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
