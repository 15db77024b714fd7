import { sql, type Kysely } from 'kysely';
import defaultPolicy from '../../../config/policy.json';
import type { Role } from '../core/auth/roles';
import type { Database } from '../core/db/schema';
import { caseFindings, type CaseFinding } from '../cases/case-findings.server';
import { getCaseDetail, type CaseDetail } from '../cases/case-detail.server';
import { currentPolicy } from '../core/policy/policy.server';

export interface ReviewCaseContext {
	detail: CaseDetail;
	/** The compliance rules that apply to the case, each with whether the case breaks it (the case page's list). */
	findings: CaseFinding[];
	first_response_hours: number | null;
	resolution_hours: number | null;
	targets: { first_response_hours: number; resolution_hours: number };
}

/** Everything a reviewer needs beside the scorecard: the case, its feedback, its compliance findings and its response times against the policy targets. */
export async function reviewCaseContext(db: Kysely<Database>, caseId: string, role: Role): Promise<ReviewCaseContext | undefined> {
	const detail = await getCaseDetail(db, caseId, role);
	if (!detail) return undefined;
	const [findings, { policy }, times] = await Promise.all([
		caseFindings(db, caseId),
		currentPolicy(db),
		sql<{ frh: number | null; rh: number | null }>`SELECT epoch(first_response_at - created_at) / 3600.0 AS frh, epoch(resolved_at - created_at) / 3600.0 AS rh FROM cases WHERE case_id = ${caseId}`.execute(db)
	]);
	// Older policy versions may lack the targets: the published defaults apply.
	const targets = { ...defaultPolicy.targets, ...((policy.targets ?? {}) as Record<string, number>) };
	return {
		detail,
		findings,
		first_response_hours: times.rows[0]?.frh ?? null,
		resolution_hours: times.rows[0]?.rh ?? null,
		targets: { first_response_hours: targets.first_response_hours, resolution_hours: targets.resolution_hours }
	};
}
