import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Drill } from './model';
import type { Database } from '../../core/db/schema';
import { currentPolicy } from '../../core/policy/policy.server';
import { bandCondition, fairnessSettings, IS_CLAIM, ORDER_VALUE, orderValueBands, TENURE_DAYS, tenureBands } from '../fairness/fairness-groups.server';

/** The SQL condition for drill-down narrowing (filters.ts `Drill`) on cases `c`; every value a parameter. */
export async function drillSql(db: Kysely<Database>, drill: Drill | undefined): Promise<RawBuilder<boolean>> {
	const parts: RawBuilder<unknown>[] = [sql`true`];
	if (!drill) return sql<boolean>`true`;
	if (drill.tenure || drill.order_value) {
		const settings = fairnessSettings((await currentPolicy(db)).policy);
		if (drill.tenure) parts.push(bandCondition(TENURE_DAYS, tenureBands(settings.tenure_band_days), drill.tenure));
		if (drill.order_value) parts.push(bandCondition(ORDER_VALUE, orderValueBands(settings.order_value_bands, settings.reporting_currency), drill.order_value));
	}
	if (drill.root_cause) parts.push(sql`c.root_cause = ${drill.root_cause}`);
	if (drill.outcome) parts.push(sql`c.outcome = ${drill.outcome}`);
	if (drill.population === 'claims') parts.push(IS_CLAIM);
	if (drill.population === 'decided') parts.push(sql`c.outcome IS NOT NULL`);
	if (drill.population === 'resolved') parts.push(sql`c.resolved_at IS NOT NULL`);
	if (drill.population === 'rated') parts.push(sql`EXISTS (SELECT 1 FROM feedback f WHERE f.case_id = c.case_id AND f.csat IS NOT NULL)`);
	return sql<boolean>`(${sql.join(parts, sql` AND `)})`;
}
