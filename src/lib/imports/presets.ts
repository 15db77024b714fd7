import type { ImportKind } from './canonical-columns';
import type { ColumnMapping } from './column-mapping';
import { CASE_COLUMNS, FEEDBACK_COLUMNS } from './canonical-columns';
import { IngestError } from './ingest-error';

export type PresetName = 'canonical' | 'zendesk' | 'zendesk_json' | 'zendesk_explore' | 'freshdesk' | 'servicenow' | 'salesforce';

interface Preset {
	label: string;
	description: string;
	cases: ColumnMapping;
	/** Absent for exports that carry no satisfaction or feedback data. */
	feedback?: ColumnMapping;
	/** The export is one file of tickets with their ratings: importing it as cases loads the ratings too. */
	feedbackInSameFile?: boolean;
	/** Headers that identify the export; enough of them present select the preset (see detectPreset). */
	signature: string[];
	/**
	 * How many signature headers a file needs for the preset to be detected: three unless set. Two
	 * generic names ("Ticket ID" and "Created time") are shared by many help desks (Zoho Desk,
	 * HubSpot), and a wrong preset rejects every row without saying it guessed.
	 */
	detectedFrom?: number;
}

const ZENDESK_STATUS = { new: 'open', open: 'open', pending: 'pending', hold: 'pending', 'on-hold': 'pending', 'on hold': 'pending', solved: 'solved', closed: 'closed' };
// Zendesk's "Via" names the channel a ticket came in by. Values outside this table (e.g.
// "Closed Ticket" for a follow-up, or a desk's own labels) are kept as written and counted.
const ZENDESK_VIA = {
	'web form': 'web', web: 'web', 'web widget': 'web', 'web service': 'web', api: 'web', mobile: 'web', 'mobile sdk': 'web', 'help center': 'web',
	email: 'email', mail: 'email', 'outbound email': 'email',
	chat: 'chat', messaging: 'chat', 'native messaging': 'chat', whatsapp: 'chat', 'sunshine conversations': 'chat',
	voice: 'phone', phone: 'phone', 'phone call (inbound)': 'phone', 'phone call (outbound)': 'phone', voicemail: 'phone',
	twitter: 'social', facebook: 'social', 'facebook post': 'social', 'twitter dm': 'social', instagram: 'social'
};
// A region custom field; the export names a custom field with its type ("Region [list]").
const ZENDESK_REGION = ['Region', 'Region [list]', 'Region [text]', 'Service Region', 'Service Region [list]'];
// Zendesk's good/bad rating has no 1-5 scale; good maps to the top and bad to the bottom.
// "Offered" was surveyed and not answered: a feedback record without a score.
const ZENDESK_SATISFACTION = { good: '5', bad: '1', offered: '', 'offered (unanswered)': '', unoffered: '', 'not offered': '' };
/** Zendesk rows whose survey was never offered are not feedback records. */
const ZENDESK_NOT_SURVEYED = ['', 'unoffered', 'not offered'];

const FRESHDESK_STATUS = { open: 'open', pending: 'pending', resolved: 'solved', closed: 'closed', 'waiting on customer': 'pending', 'waiting on third party': 'pending' };
const FRESHDESK_SOURCE = {
	email: 'email', 'outbound email': 'email', portal: 'web', 'feedback widget': 'web', mobihelp: 'web', 'e-commerce': 'web',
	phone: 'phone', chat: 'chat', whatsapp: 'chat', twitter: 'social', facebook: 'social', instagram: 'social'
};
// Freshdesk's default CSAT survey labels, on a 1-5 scale (five-point and three-point surveys).
const FRESHDESK_SURVEY = {
	'extremely satisfied': '5', 'very satisfied': '5', 'mostly satisfied': '4', satisfied: '4', 'neither satisfied nor dissatisfied': '3', neutral: '3',
	'slightly dissatisfied': '2', dissatisfied: '2', 'very dissatisfied': '1', 'extremely dissatisfied': '1', 'very unhappy': '1', unhappy: '2', happy: '4', 'very happy': '5'
};
// Freshdesk writes dates as 2025-01-08 15:00:00; Excel re-saves them day-first without seconds.
const FRESHDESK_TIME = ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M'];
const FRESHDESK_SLA = { 'within sla': 'true', 'sla violated': 'false' };

const SERVICENOW_STATE = {
	new: 'open', active: 'open', 'in progress': 'open', 'awaiting user info': 'pending', 'awaiting problem': 'pending', 'awaiting vendor': 'pending',
	'awaiting evidence': 'pending', 'on hold': 'pending', resolved: 'solved', closed: 'closed', canceled: 'closed', cancelled: 'closed'
};
const SERVICENOW_CONTACT = { phone: 'phone', email: 'email', 'self service': 'web', 'self-service': 'web', chat: 'chat', 'virtual agent': 'chat' };
// The UCI export of ServiceNow writes 5/3/2016 13:23 (day first, unpadded); instances export 2016-03-05 13:23:00.
const SERVICENOW_TIME = ['%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%d-%m-%Y %H:%M:%S'];

const SALESFORCE_STATUS = { new: 'open', working: 'open', escalated: 'pending', 'on hold': 'pending', closed: 'closed' };
const SALESFORCE_ORIGIN = { email: 'email', phone: 'phone', web: 'web', chat: 'chat', 'social media': 'social', facebook: 'social', twitter: 'social' };

function identity(columns: readonly { name: string }[]) {
	return Object.fromEntries(columns.map((c) => [c.name, c.name]));
}

export const PRESETS: Record<PresetName, Preset> = {
	canonical: {
		label: 'Canonical columns',
		description: 'Headers are the canonical column names (see the data contract).',
		signature: ['case_id', 'created_at', 'feedback_id', 'submitted_at'],
		// Caselens' own names are not another tool's: two are enough.
		detectedFrom: 2,
		cases: { name: 'canonical', kind: 'cases', lenient: true, columns: { ...identity(CASE_COLUMNS), region: { first_of: ['region'], default: 'unknown' }, category: { first_of: ['category'], default: 'uncategorized' } } },
		// kind is NOT NULL in the feedback table; a survey export rarely says it is one.
		feedback: { name: 'canonical', kind: 'feedback', lenient: true, columns: { ...identity(FEEDBACK_COLUMNS), kind: { first_of: ['kind'], default: 'survey' } } }
	},
	zendesk: {
		feedbackInSameFile: true,
		label: 'Zendesk ticket export',
		description:
			'Zendesk Support ticket CSV export (Id, Requester id, Group, Status, Via, Created at, Solved at, First reply time in minutes, ...). Import it as cases, and again as feedback to load its satisfaction ratings (tickets never surveyed are not feedback).',
		signature: ['Id', 'Requester id', 'Created at', 'Via', 'Satisfaction Score', 'First reply time in minutes', 'Full resolution time in minutes'],
		cases: {
			name: 'zendesk',
			kind: 'cases',
			lenient: true,
			columns: {
				case_id: 'Id',
				created_at: 'Created at',
				// Calendar minutes when the export has them, else business-hours minutes, marked as such.
				first_response_at: {
					from: 'First reply time in minutes',
					after: { column: 'created_at', unit: 'minutes' },
					otherwise: { from: 'First reply time in minutes within business hours', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours' }
				},
				// "Solved at" is 1900-01-01 for unsolved tickets: a placeholder, read as empty.
				resolved_at: {
					first_of: ['Solved at'],
					otherwise: {
						from: 'Full resolution time in minutes',
						after: { column: 'created_at', unit: 'minutes' },
						otherwise: { from: 'Full resolution time in minutes within business hours', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours' }
					}
				},
				status: { from: 'Status', values: ZENDESK_STATUS },
				// Not 'Organization' (a customer's company) and not 'Country' (the country table derives the region).
				region: { first_of: ZENDESK_REGION, default: 'unknown' },
				country: { first_of: ['Country', 'Country [list]', 'Country [text]', 'Requester country'] },
				channel: { from: 'Via', values: ZENDESK_VIA },
				// A category field when the desk has one, else the ticket type, else the first tag.
				category: {
					first_of: ['Category', 'Category [list]', 'Manual Tagging of Categories [list]', 'Ticket type', 'Type'],
					otherwise: { from: 'Tags', first_word: true },
					default: 'uncategorized'
				},
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
			not_a_record: { header: 'Satisfaction Score', values: ZENDESK_NOT_SURVEYED, reason: 'no survey was offered for this ticket' },
			columns: {
				feedback_id: 'Id',
				case_id: 'Id',
				submitted_at: { first_of: ['Solved at', 'Updated at', 'Created at'] },
				kind: { default: 'survey' },
				csat: { from: 'Satisfaction Score', values: ZENDESK_SATISFACTION },
				comment: { first_of: ['Satisfaction Comment', 'Satisfaction comment'] },
				region: { first_of: ZENDESK_REGION },
				customer_id: 'Requester id'
			}
		}
	},
	zendesk_json: {
		feedbackInSameFile: true,
		label: 'Zendesk ticket export (JSON)',
		description:
			'Zendesk Support JSON ticket export, one ticket per line (id, via.channel, created_at, status, requester_id, satisfaction_rating.score, metric_set.reply_time_in_minutes, ...). Import it as cases, and again as feedback for the satisfaction ratings.',
		signature: ['id', 'via', 'created_at', 'status', 'requester_id', 'satisfaction_rating', 'metric_set', 'ticket_form_id'],
		cases: {
			name: 'zendesk_json',
			kind: 'cases',
			lenient: true,
			columns: {
				case_id: 'id',
				created_at: 'created_at',
				first_response_at: {
					from: 'metric_set.reply_time_in_minutes.calendar',
					after: { column: 'created_at', unit: 'minutes' },
					otherwise: { from: 'metric_set.reply_time_in_minutes.business', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours' }
				},
				resolved_at: {
					first_of: ['metric_set.solved_at'],
					otherwise: {
						from: 'metric_set.full_resolution_time_in_minutes.calendar',
						after: { column: 'created_at', unit: 'minutes' },
						otherwise: { from: 'metric_set.full_resolution_time_in_minutes.business', after: { column: 'created_at', unit: 'minutes' }, basis: 'business_hours' }
					}
				},
				status: { from: 'status', values: ZENDESK_STATUS },
				region: { default: 'unknown' },
				channel: { from: 'via.channel', values: { ...ZENDESK_VIA, mobile_sdk: 'web', web_widget: 'web', native_messaging: 'chat' } },
				category: { first_of: ['type'], otherwise: { from: 'tags[0]' }, default: 'uncategorized' },
				agent_id: 'assignee_id',
				team: 'group_id',
				customer_id: 'requester_id',
				reopen_count: 'metric_set.reopens',
				subject: 'subject'
			}
		},
		feedback: {
			name: 'zendesk_json',
			kind: 'feedback',
			lenient: true,
			not_a_record: { header: 'satisfaction_rating.score', values: ZENDESK_NOT_SURVEYED, reason: 'no survey was offered for this ticket' },
			columns: {
				feedback_id: 'id',
				case_id: 'id',
				submitted_at: { first_of: ['metric_set.solved_at', 'updated_at', 'created_at'] },
				kind: { default: 'survey' },
				csat: { from: 'satisfaction_rating.score', values: ZENDESK_SATISFACTION },
				comment: 'satisfaction_rating.comment',
				customer_id: 'requester_id'
			}
		}
	},
	zendesk_explore: {
		feedbackInSameFile: true,
		label: 'Zendesk Explore report',
		description:
			'A Zendesk Explore "raw data" report (Ticket ID, Ticket status, Ticket created - Timestamp, First reply time brackets, ...). A ticket repeated once per value of a multi-value attribute is one case; reply and resolution times are kept as the brackets Explore gives.',
		signature: ['Ticket ID', 'Ticket status', 'Ticket created - Timestamp', 'Ticket satisfaction rating', 'First reply time brackets', 'Full resolution time brackets', 'Tickets'],
		cases: {
			name: 'zendesk_explore',
			kind: 'cases',
			lenient: true,
			// One row per ticket and organisation domain: the ticket's rows are one case, their values joined.
			duplicates: 'join',
			columns: {
				case_id: 'Ticket ID',
				created_at: { first_of: ['Ticket created - Timestamp', 'created_at', 'Ticket created - Date'] },
				// Some Explore reports leave status out; "unknown" is then counted in the batch summary.
				status: { first_of: ['Ticket status', 'Ticket custom status name'], values: ZENDESK_STATUS, default: 'unknown' },
				region: { first_of: ['Service Region', 'Region'], default: 'unknown' },
				channel: { from: 'Ticket channel', values: ZENDESK_VIA },
				category: { first_of: ['Contact Reason', 'Ticket type', 'Intent', 'Top Level Features', 'Features'], default: 'uncategorized' },
				agent_id: 'Assignee name',
				team: 'Ticket group',
				customer_id: { first_of: ['Requester email', 'Requester name'] },
				escalated: 'Escalated',
				subject: 'Ticket subject',
				first_response_bracket: 'First reply time brackets',
				resolution_bracket: 'Full resolution time brackets'
			}
		},
		feedback: {
			name: 'zendesk_explore',
			kind: 'feedback',
			lenient: true,
			duplicates: 'merge',
			not_a_record: { header: 'Ticket satisfaction rating', values: ZENDESK_NOT_SURVEYED, reason: 'no survey was offered for this ticket' },
			columns: {
				feedback_id: 'Ticket ID',
				case_id: 'Ticket ID',
				submitted_at: { first_of: ['Ticket solved - Timestamp', 'Ticket created - Timestamp', 'created_at'] },
				kind: { default: 'survey' },
				csat: { from: 'Ticket satisfaction rating', values: ZENDESK_SATISFACTION },
				region: { first_of: ['Service Region', 'Region'] },
				customer_id: { first_of: ['Requester email', 'Requester name'] }
			}
		}
	},
	freshdesk: {
		feedbackInSameFile: true,
		label: 'Freshdesk ticket export',
		description:
			'Freshdesk ticket export, CSV or the Excel file it downloads (Ticket ID, Subject, Status, Source, Type, Agent, Group, Created time, Resolved time, First response time (in hrs), Survey results, ...). Import it as cases, and again as feedback to load its survey results.',
		signature: ['Ticket ID', 'Created time', 'Resolved time', 'Source', 'Initial response time', 'First response time (in hrs)', 'Survey results'],
		cases: {
			name: 'freshdesk',
			kind: 'cases',
			lenient: true,
			columns: {
				case_id: 'Ticket ID',
				// An analyst's workbook may split it into a date cell ("Created") and a time cell ("time").
				created_at: { first_of: ['Created time'], format: FRESHDESK_TIME, otherwise: { join: ['Created', 'time'] } },
				// The reply's own time when given, else the business-hours duration ("0:00:00" = no reply).
				first_response_at: {
					first_of: ['Initial response time'],
					format: FRESHDESK_TIME,
					otherwise: { from: 'First response time (in hrs)', after: { column: 'created_at', unit: 'hours' }, basis: 'business_hours', zero_is_empty: true }
				},
				resolved_at: {
					first_of: ['Resolved time', 'Closed time'],
					format: FRESHDESK_TIME,
					otherwise: { from: 'Resolution time (in hrs)', after: { column: 'created_at', unit: 'hours' }, basis: 'business_hours', zero_is_empty: true }
				},
				status: { from: 'Status', values: FRESHDESK_STATUS },
				// Not 'Company Name' (a customer) and not 'Country' (the country table derives the region).
				region: { first_of: ['Region'], default: 'unknown' },
				country: { first_of: ['Country'] },
				channel: { from: 'Source', values: FRESHDESK_SOURCE },
				category: { first_of: ['Type', 'Category'], otherwise: { from: 'Tags', first_word: true }, default: 'uncategorized' },
				agent_id: 'Agent',
				team: 'Group',
				customer_id: { first_of: ['Contact ID', 'Requester ID', 'Full name'] },
				sla_met: { first_of: ['Resolution status', 'First response status'], values: FRESHDESK_SLA },
				subject: 'Subject'
			}
		},
		feedback: {
			name: 'freshdesk',
			kind: 'feedback',
			lenient: true,
			not_a_record: { header: 'Survey results', values: [''], reason: 'no survey answer for this ticket' },
			columns: {
				feedback_id: 'Ticket ID',
				case_id: 'Ticket ID',
				submitted_at: { first_of: ['Resolved time', 'Closed time', 'Created time'], format: FRESHDESK_TIME, otherwise: { join: ['Created', 'time'] } },
				kind: { default: 'survey' },
				csat: { from: 'Survey results', values: FRESHDESK_SURVEY },
				region: { first_of: ['Region'] },
				customer_id: { first_of: ['Contact ID', 'Requester ID'] }
			}
		}
	},
	servicenow: {
		label: 'ServiceNow incidents',
		description:
			'ServiceNow incident export or incident audit log (number, incident_state, opened_at, resolved_at, closed_at, reassignment_count, reopen_count, made_sla, ...). In a log with one row per update, the latest row of each incident is the case.',
		signature: ['number', 'incident_state', 'opened_at', 'sys_updated_at', 'reassignment_count', 'made_sla', 'assignment_group'],
		cases: {
			name: 'servicenow',
			kind: 'cases',
			lenient: true,
			null_values: ['?'],
			duplicates: 'merge',
			columns: {
				case_id: 'number',
				created_at: { from: 'opened_at', format: SERVICENOW_TIME },
				resolved_at: { first_of: ['resolved_at'], format: SERVICENOW_TIME, otherwise: { from: 'closed_at', format: SERVICENOW_TIME } },
				status: { first_of: ['incident_state', 'state'], values: SERVICENOW_STATE },
				region: { first_of: ['u_region', 'region'], default: 'unknown' },
				country: { first_of: ['u_country', 'country'] },
				channel: { from: 'contact_type', values: SERVICENOW_CONTACT },
				category: { first_of: ['category', 'subcategory'], default: 'uncategorized' },
				agent_id: 'assigned_to',
				team: 'assignment_group',
				customer_id: 'caller_id',
				reopen_count: 'reopen_count',
				reassignment_count: 'reassignment_count',
				sla_met: 'made_sla',
				subject: { first_of: ['short_description', 'u_symptom'] }
			}
		}
	},
	salesforce: {
		label: 'Salesforce cases',
		description:
			'Salesforce Case export from Data Loader or a report (CaseNumber, Status, Origin, Reason, CreatedDate, ClosedDate, AccountId, ...). Give the Account export as the "accounts" lookup to take each case\'s region from its account\'s billing country.',
		signature: ['CaseNumber', 'Status', 'Origin', 'Reason', 'CreatedDate', 'ClosedDate', 'AccountId', 'IsEscalated'],
		cases: {
			name: 'salesforce',
			kind: 'cases',
			lenient: true,
			lookups: { accounts: { key: 'Id', description: 'the Account export (Id, BillingCountry, ...)' } },
			columns: {
				case_id: 'CaseNumber',
				created_at: 'CreatedDate',
				resolved_at: 'ClosedDate',
				status: { from: 'Status', values: SALESFORCE_STATUS },
				country: { first_of: ['BillingCountry', 'Account.BillingCountry'], otherwise: { lookup: { table: 'accounts', key: 'AccountId', value: 'BillingCountry' } } },
				region: { first_of: ['Region'], default: 'unknown' },
				channel: { from: 'Origin', values: SALESFORCE_ORIGIN },
				category: { first_of: ['Reason', 'Type'], default: 'uncategorized' },
				agent_id: 'OwnerId',
				customer_id: { first_of: ['ContactId', 'AccountId'] },
				escalated: 'IsEscalated',
				subject: 'Subject'
			}
		}
	}
};

export function presetMapping(name: PresetName, kind: ImportKind): ColumnMapping {
	const mapping = PRESETS[name][kind];
	if (!mapping) {
		throw new IngestError('wrong_kind', `The ${PRESETS[name].label} preset reads cases only: that export has no satisfaction or feedback data.`, 'Import it with kind "cases".');
	}
	return mapping;
}

/** The preset whose signature headers best cover the file's headers, or undefined when none fits. */
export function detectPreset(headers: readonly string[]): PresetName | undefined {
	const present = new Set(headers.map((h) => h.trim().toLowerCase()));
	let best: { name: PresetName; hits: number } | undefined;
	for (const name of Object.keys(PRESETS) as PresetName[]) {
		const { signature, detectedFrom = 3 } = PRESETS[name];
		const hits = signature.filter((h) => present.has(h.toLowerCase())).length;
		if (hits >= detectedFrom && (!best || hits > best.hits)) best = { name, hits };
	}
	return best?.name;
}

export function isPresetName(name: string): name is PresetName {
	return name in PRESETS;
}
