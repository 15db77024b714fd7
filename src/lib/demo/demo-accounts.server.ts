import type { Kysely } from 'kysely';
import type { Role } from '../core/auth/roles';
import type { Database } from '../core/db/schema';
import { addUser, countUsers } from '../core/auth/users.server';
import { linkAgent } from '../audits/acknowledgements.server';
import { AuditError } from '../audits/audit-error';

/**
 * Demo accounts exist only in a database that was filled with demo data. Their passwords are
 * public (README) because the data is generated; a real deployment starts with no accounts.
 */
export const DEMO_ACCOUNTS: { username: string; role: Role; password: string; displayName: string; agentId?: string }[] = [
	{ username: 'admin', role: 'admin', password: 'demo-admin-pass', displayName: 'Ada Admin' },
	{ username: 'qa', role: 'qa_manager', password: 'demo-qa-pass-1', displayName: 'Quinn QA Manager' },
	{ username: 'reviewer', role: 'reviewer', password: 'demo-reviewer-1', displayName: 'Rui Reviewer' },
	{ username: 'lead', role: 'lead', password: 'demo-lead-pass-1', displayName: 'Lee Support Lead' },
	{ username: 'viewer', role: 'viewer', password: 'demo-viewer-pass', displayName: 'Vic Product Viewer' },
	// The first demo agent (demo/reference-data.ts AGENT_IDS): reads the reviews of agent-001's cases.
	{ username: 'agent', role: 'agent', password: 'demo-agent-pass1', displayName: 'Aggie Agent', agentId: 'agent-001' }
];

export async function createDemoAccounts(db: Kysely<Database>): Promise<boolean> {
	if ((await countUsers(db)) > 0) return false;
	for (const account of DEMO_ACCOUNTS) {
		await addUser(db, account, 'system:demo');
		// A demo without that agent's cases (an unusual seed or null mode) leaves the account unlinked; its page says so.
		if (account.agentId)
			await linkAgent(db, account.username, account.agentId, 'system:demo').catch((e: unknown) => {
				if (!(e instanceof AuditError)) throw e;
			});
	}
	return true;
}
