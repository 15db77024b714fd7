/** Roles, from most to least powerful (README.md). Browser-safe. */
export const ROLES = ['admin', 'qa_manager', 'reviewer', 'lead', 'viewer', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
	admin: 'Administrator: imports, policy, users, everything',
	qa_manager: 'QA manager: samples, scorecards, calibration, disputes',
	reviewer: 'Reviewer: reviews the cases assigned to them',
	lead: 'Support lead: reads everything, raises disputes, owns friction items',
	viewer: 'Viewer (product teams): dashboards and friction reports, personal data masked',
	agent: 'Agent: reads and acknowledges the reviews of their own cases, disputes an item'
};

export function isRole(value: string): value is Role {
	return (ROLES as readonly string[]).includes(value);
}

/** What the browser may know about the signed-in user. */
export interface SessionUser {
	userId: number;
	username: string;
	displayName: string;
	role: Role;
}
