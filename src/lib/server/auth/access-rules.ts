import type { Role } from '../../auth/roles';

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

const EVERYONE: Access = 'signed_in';
const READERS_OF_RAW_DATA: readonly Role[] = ['admin', 'qa_manager', 'lead'];

export const ACCESS_RULES: Record<string, RouteRule> = {
	'/login': { read: 'public', write: 'public', why: 'signing in' },
	'/logout': { read: 'signed_in', write: 'signed_in', why: 'signing out' },
	'/account': { read: EVERYONE, write: EVERYONE, why: 'own password change' },
	'/': { read: EVERYONE, why: 'dashboard' },
	'/speed': { read: EVERYONE, why: 'dashboard' },
	'/compliance': { read: EVERYONE, why: 'dashboard' },
	'/consistency': { read: EVERYONE, why: 'dashboard' },
	'/fairness': { read: EVERYONE, why: 'dashboard' },
	'/friction': { read: EVERYONE, why: 'dashboards and friction reports are for product teams too' },
	'/audits': { read: ['admin', 'qa_manager', 'reviewer', 'lead'], why: 'audit work; product teams do not see agent reviews' },
	'/satisfaction': { read: EVERYONE, why: 'dashboard' },
	'/cases': { read: EVERYONE, why: 'drill-down lists; subjects masked for viewers' },
	'/cases.csv': { read: EVERYONE, why: 'drill-down lists as CSV; subjects masked for viewers' },
	'/cases/[id]': { read: EVERYONE, why: 'drill-down; personal data masked for viewers' },
	'/api/metrics/speed': { read: EVERYONE, why: 'the Speed page as JSON' },
	'/api/metrics/compliance': { read: EVERYONE, why: 'the Compliance page as JSON' },
	'/api/metrics/csat': { read: EVERYONE, why: 'the Satisfaction page as JSON' },
	'/imports': { read: READERS_OF_RAW_DATA, why: 'batch history shows file names and rejected customer rows' },
	'/imports/[id]': { read: READERS_OF_RAW_DATA, why: 'rejected rows hold raw customer data' },
	'/imports/[id]/rejected.csv': { read: READERS_OF_RAW_DATA, why: 'rejected rows hold raw customer data' },
	'/imports/new': { read: ['admin'], why: 'imports are an admin task' },
	'/api/imports': { read: READERS_OF_RAW_DATA, write: ['admin'], why: 'imports are an admin task' },
	'/api/mappings': { read: ['admin'], write: ['admin'], why: 'mappings belong to imports' },
	'/admin/audit-log': { read: ['admin'], why: 'the audit trail is read by administrators; nothing writes to it over HTTP' },
	'/admin/users': { read: ['admin'], why: 'user administration' },
	'/admin/policy': { read: ['admin', 'qa_manager', 'lead'], write: ['admin'], why: 'everyone who audits reads the policy; only admins change it' }
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
