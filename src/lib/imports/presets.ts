import type { ImportKind } from './canonical-columns';
import type { ColumnMapping } from './column-mapping';
import { CASE_COLUMNS, FEEDBACK_COLUMNS } from './canonical-columns';

export type PresetName = 'canonical' | 'zendesk' | 'freshdesk';

const ZENDESK_STATUS = { new: 'open', open: 'open', pending: 'pending', hold: 'pending', 'on-hold': 'pending', solved: 'solved', closed: 'closed' };
const ZENDESK_VIA = {
	'web form': 'web', web: 'web', 'web widget': 'web', 'web service': 'web', api: 'web', mobile: 'web', 'mobile sdk': 'web', 'help center': 'web',
	email: 'email', mail: 'email',
	chat: 'chat', messaging: 'chat', 'native messaging': 'chat', whatsapp: 'chat',
	voice: 'phone', phone: 'phone', 'phone call (inbound)': 'phone', 'phone call (outbound)': 'phone', voicemail: 'phone',
	twitter: 'social', facebook: 'social', 'facebook post': 'social', 'twitter dm': 'social', instagram: 'social'
};
// Zendesk's good/bad rating has no 1-5 scale; good maps to the top and bad to the bottom.
const ZENDESK_SATISFACTION = { good: '5', bad: '1', offered: '', 'offered (unanswered)': '' };

const FRESHDESK_STATUS = { open: 'open', pending: 'pending', resolved: 'solved', closed: 'closed', 'waiting on customer': 'pending', 'waiting on third party': 'pending' };
const FRESHDESK_SOURCE = {
	email: 'email', 'outbound email': 'email', portal: 'web', 'feedback widget': 'web', 'mobihelp': 'web', 'e-commerce': 'web',
	phone: 'phone', chat: 'chat', whatsapp: 'chat', twitter: 'social', facebook: 'social', instagram: 'social'
};
const FRESHDESK_SURVEY = {
	'extremely satisfied': '5', 'very satisfied': '5', satisfied: '4', 'neither satisfied nor dissatisfied': '3', neutral: '3',
	dissatisfied: '2', 'very dissatisfied': '1', 'extremely dissatisfied': '1', 'very unhappy': '1', unhappy: '2', happy: '4', 'very happy': '5'
};

function identity(columns: readonly { name: string }[]) {
	return Object.fromEntries(columns.map((c) => [c.name, c.name]));
}

export const PRESETS: Record<PresetName, { label: string; description: string; cases: ColumnMapping; feedback: ColumnMapping; signature: string[] }> = {
	canonical: {
		label: 'Canonical columns',
		description: 'Headers are the canonical column names (see the data contract).',
		signature: ['case_id', 'created_at', 'feedback_id', 'submitted_at'],
		cases: { name: 'canonical', kind: 'cases', lenient: true, columns: { ...identity(CASE_COLUMNS), region: { first_of: ['region'], default: 'unknown' }, category: { first_of: ['category'], default: 'uncategorized' } } },
		// kind is NOT NULL in the feedback table; a survey export rarely says it is one.
		feedback: { name: 'canonical', kind: 'feedback', lenient: true, columns: { ...identity(FEEDBACK_COLUMNS), kind: { first_of: ['kind'], default: 'survey' } } }
	},
	zendesk: {
		label: 'Zendesk ticket export',
		description: 'Zendesk Support CSV export (Id, Requester id, Group, Status, Via, Created at, Solved at, ...). Import it as cases, and again as feedback to load its satisfaction ratings.',
		signature: ['Id', 'Requester id', 'Created at', 'Via', 'Satisfaction Score', 'First reply time in minutes'],
		cases: {
			name: 'zendesk',
			kind: 'cases',
			lenient: true,
			columns: {
				case_id: 'Id',
				created_at: 'Created at',
				first_response_at: { from: 'First reply time in minutes', after: { column: 'created_at', unit: 'minutes' } },
				resolved_at: {
					first_of: ['Solved at'],
					otherwise: { from: 'Full resolution time in minutes', after: { column: 'created_at', unit: 'minutes' } }
				},
				status: { from: 'Status', values: ZENDESK_STATUS },
				// Not 'Country': a country code is not a region; the country-to-region table derives it.
				region: { first_of: ['Organization', 'Region'], default: 'unknown' },
				country: { first_of: ['Country', 'Requester country'] },
				channel: { from: 'Via', values: ZENDESK_VIA },
				category: { first_of: ['Type', 'Tags', 'Group'], first_word: true, default: 'uncategorized' },
				agent_id: 'Assignee',
				team: 'Group',
				customer_id: 'Requester id',
				reopen_count: 'Reopens',
				subject: 'Subject'
			}
		},
		feedback: {
			name: 'zendesk',
			kind: 'feedback',
			lenient: true,
			columns: {
				feedback_id: 'Id',
				case_id: 'Id',
				submitted_at: { first_of: ['Solved at', 'Updated at', 'Created at'] },
				kind: { default: 'survey' },
				csat: { from: 'Satisfaction Score', values: ZENDESK_SATISFACTION },
				comment: { first_of: ['Satisfaction Comment', 'Satisfaction comment'] },
				region: { first_of: ['Organization', 'Region'] },
				customer_id: 'Requester id'
			}
		}
	},
	freshdesk: {
		label: 'Freshdesk ticket export',
		description: 'Freshdesk CSV export (Ticket ID, Subject, Status, Source, Type, Agent, Group, Created time, Resolved time, ...). Import it as cases, and again as feedback to load its survey results.',
		signature: ['Ticket ID', 'Created time', 'Resolved time', 'Source', 'Initial response time', 'Survey results'],
		cases: {
			name: 'freshdesk',
			kind: 'cases',
			lenient: true,
			columns: {
				case_id: 'Ticket ID',
				created_at: 'Created time',
				first_response_at: {
					first_of: ['Initial response time'],
					otherwise: { from: 'First response time (in hrs)', after: { column: 'created_at', unit: 'hours' } }
				},
				resolved_at: {
					first_of: ['Resolved time', 'Closed time'],
					otherwise: { from: 'Resolution time (in hrs)', after: { column: 'created_at', unit: 'hours' } }
				},
				status: { from: 'Status', values: FRESHDESK_STATUS },
				// Not 'Country': a country code is not a region; the country-to-region table derives it.
				region: { first_of: ['Company', 'Company Name', 'Region'], default: 'unknown' },
				country: { first_of: ['Country'] },
				channel: { from: 'Source', values: FRESHDESK_SOURCE },
				category: { first_of: ['Type', 'Tags', 'Group'], first_word: true, default: 'uncategorized' },
				agent_id: 'Agent',
				team: 'Group',
				customer_id: { first_of: ['Contact ID', 'Requester ID', 'Full name'] },
				subject: 'Subject'
			}
		},
		feedback: {
			name: 'freshdesk',
			kind: 'feedback',
			lenient: true,
			columns: {
				feedback_id: 'Ticket ID',
				case_id: 'Ticket ID',
				submitted_at: { first_of: ['Resolved time', 'Closed time', 'Created time'] },
				kind: { default: 'survey' },
				csat: { from: 'Survey results', values: FRESHDESK_SURVEY },
				region: { first_of: ['Company', 'Region'] },
				customer_id: { first_of: ['Contact ID', 'Requester ID'] }
			}
		}
	}
};

export function presetMapping(name: PresetName, kind: ImportKind): ColumnMapping {
	return PRESETS[name][kind];
}

/** The preset whose signature headers best cover the file's headers, or undefined when none fits. */
export function detectPreset(headers: readonly string[]): PresetName | undefined {
	const present = new Set(headers.map((h) => h.trim().toLowerCase()));
	let best: { name: PresetName; hits: number } | undefined;
	for (const name of Object.keys(PRESETS) as PresetName[]) {
		const hits = PRESETS[name].signature.filter((h) => present.has(h.toLowerCase())).length;
		if (hits >= 2 && (!best || hits > best.hits)) best = { name, hits };
	}
	return best?.name;
}

export function isPresetName(name: string): name is PresetName {
	return name in PRESETS;
}
