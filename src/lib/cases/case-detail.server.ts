import type { Kysely } from 'kysely';
import type { Role } from '../core/auth/roles';
import { maskIdentifier, maskPersonalData } from '../core/mask-personal-data';
import type { CasesTable, Database, FeedbackTable } from '../core/db/schema';
import { can } from '../core/auth/access-rules';

export type CaseRow = { [K in keyof CasesTable]: CasesTable[K] extends { __select__: infer S } ? S : CasesTable[K] };

export interface CaseDetail {
	case: Record<string, unknown>;
	feedback: { feedback_id: string; submitted_at: Date; kind: string; csat: number | null; comment: string | null }[];
	masked: boolean;
}

/** Fields a viewer sees only masked (product teams must not see customer personal data; README.md, Accounts). */
const PERSONAL_IDS = ['customer_id', 'order_id'] as const;
const PERSONAL_TEXT = ['subject'] as const;

export async function getCaseDetail(db: Kysely<Database>, caseId: string, role: Role): Promise<CaseDetail | undefined> {
	const row = await db.selectFrom('cases').selectAll().where('case_id', '=', caseId).executeTakeFirst();
	if (!row) return undefined;
	const feedback = await db
		.selectFrom('feedback')
		.select(['feedback_id', 'submitted_at', 'kind', 'csat', 'comment'])
		.where('case_id', '=', caseId)
		.orderBy('submitted_at')
		.execute();
	const masked = !can(role, 'personal_data.unmasked');
	const shown: Record<string, unknown> = { ...row };
	if (masked) {
		for (const key of PERSONAL_IDS) shown[key] = maskIdentifier(row[key]);
		for (const key of PERSONAL_TEXT) shown[key] = maskPersonalData(row[key]);
	}
	return {
		case: shown,
		feedback: feedback.map((f: Pick<FeedbackTable, 'feedback_id' | 'kind' | 'csat' | 'comment'> & { submitted_at: Date }) => ({ ...f, comment: masked ? maskPersonalData(f.comment) : f.comment })),
		masked
	};
}
