import type { Role } from './roles';

/**
 * Who may do what, per route and method. Enforced for every request in hooks.server.ts (pages,
 * their __data.json, form actions and endpoints alike), never by hiding links. A route missing
 * here is refused for everyone, and the route-inventory test fails until it gets a rule.
 */
export type Access = 'public' | 'signed_in' | readonly Role[];

export interface RouteRule {
	/** Page loads, data requests and GET endpoints. */
	read: Access;
	/** Form actions and POST/PUT/PATCH/DELETE endpoints; absent = no writes on this route. */
	write?: Access;
	/** Why the rule is what it is, for the closing note and reviewers. */
	why: string;
}

/**
 * Finer actions inside a route that services and pages ask about with `can()`: one place for
 * every role decision, so no route or service keeps its own copy of a role list. Browser-safe
 * (no secrets; the server decides, pages only hide what would be refused).
 */
export const ACTION_RULES = {
	'samples.read': { roles: ['admin', 'qa_manager', 'lead'], why: 'reviewers see their own queue, not the samples it came from' },
	'samples.assign': { roles: ['admin', 'qa_manager'], why: 'QA managers assign sampled cases to reviewers' },
	'calibration.create': { roles: ['admin', 'qa_manager'], why: 'QA managers run calibration sessions' },
	'scorecards.edit': { roles: ['admin', 'qa_manager'], why: 'QA managers version the scorecard' },
	'disputes.raise': { roles: ['admin', 'lead'], why: 'support leads dispute a review of their agent' },
	'disputes.raise_own': { roles: ['agent'], why: 'an agent disputes one item of a review of their own case (the agent link is checked in the service)' },
	'disputes.resolve': { roles: ['admin', 'qa_manager'], why: 'QA managers decide disputes' },
	'reviews.open_others': { roles: ['admin', 'qa_manager', 'lead'], why: 'reviewers open only their own reviews' },
	'reviews.read_own_agent': { roles: ['agent'], why: 'an agent reads the submitted reviews of their own cases only (acknowledgements.server.ts checks the agent link)' },
	'reviews.acknowledge': { roles: ['agent'], why: 'an agent acknowledges having read a review of their own case' },
	'acknowledgements.read': { roles: ['admin', 'qa_manager', 'lead'], why: 'leads follow whether their agents read their reviews' },
	'agents.link': { roles: ['admin'], why: 'which agent an account is decides which reviews it reads, like a role' },
	'calibration.reference': { roles: ['admin', 'qa_manager'], why: 'the reference answer of a calibration session is the QA manager’s (or a consensus they record)' },
	'recurring.manage': { roles: ['admin', 'qa_manager'], why: 'a recurring sample is a saved draw with assignments, a QA task' },
	'friction.write': { roles: ['admin', 'qa_manager', 'lead'], why: 'leads (and managers) flag and own friction items' },
	'friction.own': { roles: ['lead', 'qa_manager', 'admin'], why: 'support leads own items; managers may take one' },
	'policy.edit': { roles: ['admin'], why: 'only administrators change the policy' },
	'personal_data.unmasked': { roles: ['admin', 'qa_manager', 'reviewer', 'lead'], why: 'viewers (product teams) see e-mails, phones and customer ids masked' },
	'imports.history': { roles: ['admin', 'qa_manager', 'lead'], why: 'batch history shows file names, server paths and raw rows' },
	'users.admin': { roles: ['admin'], why: 'user administration' }
} as const satisfies Record<string, { roles: readonly Role[]; why: string }>;

export type Action = keyof typeof ACTION_RULES;

/** Whether a role may take an action; an unknown or absent role may not. */
export function can(role: Role | undefined, action: Action): boolean {
	return role !== undefined && (ACTION_RULES[action].roles as readonly Role[]).includes(role);
}

/** The roles allowed an action, e.g. to list possible owners. */
export function rolesFor(action: Action): readonly Role[] {
	return ACTION_RULES[action].roles;
}

const EVERYONE: Access = 'signed_in';
const READERS_OF_RAW_DATA = rolesFor('imports.history');
const FRICTION_WRITERS = rolesFor('friction.write');
/** Audit work: viewers (product teams) never see agent reviews. */
const AUDIT_ROLES: readonly Role[] = ['admin', 'qa_manager', 'reviewer', 'lead'];
const AUDIT_READERS: readonly Role[] = ['admin', 'qa_manager', 'lead'];
const AUDIT_MANAGERS = rolesFor('samples.assign');
const AGENTS = rolesFor('reviews.read_own_agent');

export const ACCESS_RULES: Record<string, RouteRule> = {
	'/login': { read: 'public', write: 'public', why: 'signing in' },
	'/logout': { read: 'signed_in', write: 'signed_in', why: 'signing out' },
	'/account': { read: EVERYONE, write: EVERYONE, why: 'own password change' },
	'/denied': { read: EVERYONE, why: 'the page shown when another page is refused' },
	'/': { read: EVERYONE, why: 'dashboard' },
	'/speed': { read: EVERYONE, why: 'dashboard' },
	'/compliance': { read: EVERYONE, why: 'dashboard' },
	'/consistency': { read: EVERYONE, why: 'dashboard' },
	'/fairness': { read: EVERYONE, why: 'dashboard' },
	'/friction': { read: EVERYONE, why: 'dashboards and friction reports are for product teams too' },
	'/friction/themes/[term]': { read: EVERYONE, why: "a theme's comments and cases; personal data masked for viewers" },
	'/friction/items': { read: EVERYONE, write: FRICTION_WRITERS, why: 'product teams follow the items; leads (and managers) flag and own them' },
	'/friction/items/[id]': { read: EVERYONE, write: FRICTION_WRITERS, why: 'status, owner, fix date and notes are changed by leads and managers; everyone reads the before/after' },
	'/friction/report': { read: EVERYONE, why: 'the friction report is for product teams; personal data masked for everyone' },
	'/friction/report.csv': { read: EVERYONE, why: 'the friction report as CSV; personal data masked for everyone' },
	'/friction/report.md': { read: EVERYONE, why: 'the friction report as Markdown; personal data masked for everyone' },
	'/api/friction': { read: EVERYONE, why: 'the friction report as JSON; personal data masked for everyone' },
	'/audits': { read: [...AUDIT_ROLES, ...AGENTS], write: [...new Set([...rolesFor('recurring.manage'), ...rolesFor('agents.link')])], why: 'audit work (agents get a link to their own reviews); product teams do not see agent reviews; QA managers save recurring samples, admins link agent accounts' },
	'/audits/mine': { read: AGENTS, write: AGENTS, why: 'an agent reads, acknowledges and disputes the reviews of their own cases (the agent link is checked in the service)' },
	'/audits/new': { read: AUDIT_MANAGERS, write: AUDIT_MANAGERS, why: 'QA managers draw audit samples' },
	'/audits/sample': { read: AUDIT_READERS, write: AUDIT_MANAGERS, why: 'leads read samples; QA managers assign them to reviewers' },
	'/audits/sample.csv': { read: AUDIT_READERS, why: 'the sample with its inclusion probabilities, as CSV' },
	'/audits/queue': { read: AUDIT_ROLES, why: "each user's own review queue" },
	'/audits/review': { read: AUDIT_ROLES, write: ['admin', 'qa_manager', 'reviewer'], why: 'reviewers open only their own reviews and change them until submitted (checked in the service); others read submitted ones' },
	'/audits/reviews.csv': { read: AUDIT_READERS, why: 'submitted reviews as CSV' },
	'/audits/results': { read: AUDIT_ROLES, why: 'the quality score for everyone who audits' },
	'/audits/auto-checks': { read: AUDIT_ROLES, why: 'automatic checks on every case and their agreement with the reviewers, for everyone who audits' },
	'/audits/scorecards': { read: AUDIT_ROLES, write: AUDIT_MANAGERS, why: 'reviewers read the scorecard and its help; QA managers version it' },
	'/audits/calibration': { read: AUDIT_ROLES, write: AUDIT_MANAGERS, why: 'QA managers run calibration sessions; panels see the agreement' },
	'/audits/disputes': { read: AUDIT_READERS, write: [...new Set([...rolesFor('disputes.raise'), ...rolesFor('disputes.resolve')])], why: 'leads raise disputes, QA managers resolve them (checked in the service)' },
	'/api/audits/samples': { read: AUDIT_READERS, write: AUDIT_MANAGERS, why: 'samples as JSON; drawing one is a QA task' },
	'/api/audits/results': { read: AUDIT_ROLES, why: 'the Audits results as JSON' },
	'/satisfaction': { read: EVERYONE, why: 'dashboard' },
	'/reports/weekly': { read: EVERYONE, why: 'the weekly digest of the metric pages, for whoever reads them' },
	'/reports/weekly/report.md': { read: EVERYONE, why: 'the weekly digest as Markdown (also `caselens report weekly` while the server holds the database)' },
	'/reports/weekly/report.html': { read: EVERYONE, why: 'the weekly digest as self-contained HTML for a mail tool' },
	'/cases': { read: EVERYONE, why: 'drill-down lists; subjects masked for viewers' },
	'/cases.csv': { read: EVERYONE, why: 'drill-down lists as CSV; subjects masked for viewers' },
	'/cases/[id]': { read: EVERYONE, why: 'drill-down; personal data masked for viewers' },
	'/api/metrics/[metric]': { read: EVERYONE, why: 'each metric page as JSON (speed, compliance, csat, consistency, fairness)' },
	'/imports': { read: READERS_OF_RAW_DATA, why: 'batch history shows file names and rejected customer rows' },
	'/imports/[id]': { read: READERS_OF_RAW_DATA, why: 'rejected rows hold raw customer data' },
	'/imports/[id]/rejected.csv': { read: READERS_OF_RAW_DATA, why: 'rejected rows hold raw customer data' },
	'/imports/new': { read: ['admin'], why: 'imports are an admin task' },
	'/api/imports': { read: READERS_OF_RAW_DATA, write: ['admin'], why: 'imports are an admin task' },
	'/api/imports/lookup': { read: ['admin'], write: ['admin'], why: 'a second file for an import (a lookup table), an admin task (POST only)' },
	'/api/imports/preview': { read: ['admin'], write: ['admin'], why: 'the typed preview of a file under a mapping is part of an import, an admin task (POST only)' },
	'/api/mappings': { read: ['admin'], write: ['admin'], why: 'mappings belong to imports' },
	'/admin/audit-log': { read: ['admin'], why: 'the audit trail is read by administrators; nothing writes to it over HTTP' },
	'/admin/users': { read: ['admin'], write: rolesFor('users.admin'), why: 'user administration: add, change role, deactivate, reset password (form actions)' },
	'/api/users': { read: ['admin'], write: ['admin'], why: 'user administration as JSON: `caselens user add` goes through it while the server holds the database' },
	'/api/users/[username]': { read: ['admin'], write: ['admin'], why: "an account's role or status (PATCH only), as Admin → Users changes them" },
	'/api/users/[username]/password': { read: ['admin'], write: ['admin'], why: 'a new password for an account: `caselens user reset-password` while the server holds the database' },
	'/admin/policy': { read: ['admin', 'qa_manager', 'lead'], write: rolesFor('policy.edit'), why: 'everyone who audits reads the policy; only admins change it' }
};

export function allows(access: Access | undefined, role: Role | undefined): boolean {
	if (access === undefined) return false;
	if (access === 'public') return true;
	if (role === undefined) return false;
	return access === 'signed_in' || access.includes(role);
}

export function isWrite(method: string): boolean {
	return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}
