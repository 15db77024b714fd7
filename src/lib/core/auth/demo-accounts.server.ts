import type { Kysely } from 'kysely';
import type { Role } from './roles';
import type { Database } from '../db/schema';
import { addUser, countUsers } from './users.server';

/**
 * Demo accounts exist only in a database that was filled with demo data. Their passwords are
 * public (README) because the data is generated; a real deployment starts with no accounts.
 */
export const DEMO_ACCOUNTS: { username: string; role: Role; password: string; displayName: string }[] = [
	{ username: 'admin', role: 'admin', password: 'demo-admin-pass', displayName: 'Ada Admin' },
	{ username: 'qa', role: 'qa_manager', password: 'demo-qa-pass-1', displayName: 'Quinn QA Manager' },
	{ username: 'reviewer', role: 'reviewer', password: 'demo-reviewer-1', displayName: 'Rui Reviewer' },
	{ username: 'lead', role: 'lead', password: 'demo-lead-pass-1', displayName: 'Lee Support Lead' },
	{ username: 'viewer', role: 'viewer', password: 'demo-viewer-pass', displayName: 'Vic Product Viewer' }
];

export async function createDemoAccounts(db: Kysely<Database>): Promise<boolean> {
	if ((await countUsers(db)) > 0) return false;
	for (const account of DEMO_ACCOUNTS) await addUser(db, account, 'system:demo');
	return true;
}
