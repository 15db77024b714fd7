import { AppError } from '../errors';
import { withLock } from '../keyed-lock';
import type { Kysely } from 'kysely';
import type { PolicyDocument } from './model';
import { recordAudit } from '../audit-log.server';
import type { Database } from '../db/schema';

export interface PolicyVersion {
	version: number;
	policy: PolicyDocument;
	note: string | null;
	created_by: string;
	created_at: Date;
}

/** The policy in force: the highest version. Metrics read it at query time, so an edit applies at once. */
export async function currentPolicy(db: Kysely<Database>): Promise<PolicyVersion> {
	const row = await db.selectFrom('policy_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
	return { version: row.version, policy: JSON.parse(row.body) as PolicyDocument, note: row.note, created_by: row.created_by, created_at: row.created_at };
}

export async function policyHistory(db: Kysely<Database>): Promise<Omit<PolicyVersion, 'policy'>[]> {
	return db.selectFrom('policy_versions').select(['version', 'note', 'created_by', 'created_at']).orderBy('version', 'desc').execute();
}

/** The edit was made on a version that is no longer the current one. */
export class PolicyConflict extends AppError {
	constructor(readonly current: { version: number; created_by: string; created_at: Date }) {
		super(
			'conflict',
			`The policy was changed by ${current.created_by} at ${current.created_at.toISOString().slice(0, 16).replace('T', ' ')} UTC (version ${current.version}) after this form was loaded.`,
			'Reload the page to see that version, then make your change again.',
			409
		);
	}
}

/**
 * Versions are never overwritten: an edit adds a version and an audit record, in one transaction.
 * `expectedVersion` is the version the editor saw: when another save came first, the edit is
 * refused with PolicyConflict instead of silently reverting that save. Saves queue one behind the
 * other (two at once collided on the version key).
 */
export async function updatePolicy(db: Kysely<Database>, policy: PolicyDocument, note: string, actor: string, expectedVersion?: number): Promise<number> {
	return withLock('policy', () => writePolicy(db, policy, note, actor, expectedVersion));
}

async function writePolicy(db: Kysely<Database>, policy: PolicyDocument, note: string, actor: string, expectedVersion: number | undefined): Promise<number> {
	return db.transaction().execute(async (trx) => {
		const current = await trx.selectFrom('policy_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
		if (expectedVersion !== undefined && current.version !== expectedVersion) throw new PolicyConflict(current);
		const version = current.version + 1;
		await trx.insertInto('policy_versions').values({ version, body: JSON.stringify(policy), note: note || null, created_by: actor, created_at: new Date() }).execute();
		await recordAudit(trx, { actor, action: 'policy.edit', target: `policy v${version}`, before: JSON.parse(current.body), after: policy });
		return version;
	});
}
