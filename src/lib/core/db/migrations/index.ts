import type { Migration, MigrationProvider } from 'kysely';
import { coreMigration } from './0001-core';
import { accountsMigration } from './0002-accounts';
import { auditsMigration } from './0003-audits';
import { frictionMigration } from './0004-friction';
import { exportColumnsMigration } from './0005-export-columns';
import { frictionTermsMigration } from './0006-friction-terms';
import { lastSignInMigration } from './0007-last-sign-in';
import { messagesMigration } from './0008-messages';
import { autoChecksMigration } from './0010-auto-checks';
import { reviewDetailsMigration } from './0011-review-details';
import { calibrationAgentsMigration } from './0012-calibration-agents';
import { checkResultsMigration } from './0013-check-results';
import { keptFactsMigration } from './0014-kept-facts';
import { speedClockMigration } from './0015-speed-clock';
import { fairnessCasesMigration } from './0016-fairness-cases';
import { consistencyCountsMigration } from './0017-consistency-counts';
import { threadFactsMigration } from './0018-thread-facts';
import { speedSummaryMigration } from './0019-speed-summary';
import { themeReportsMigration } from './0020-theme-reports';

/**
 * Migrations are listed in code rather than read from a folder so that the bundled server and
 * the CLI apply exactly the same list. Names sort in order of application; add a file per
 * migration and one line here.
 */
const migrations: Record<string, Migration> = {
	'0001_core': coreMigration,
	'0002_accounts': accountsMigration,
	'0003_audits': auditsMigration,
	'0004_friction': frictionMigration,
	'0005_export_columns': exportColumnsMigration,
	'0006_friction_terms': frictionTermsMigration,
	'0007_last_sign_in': lastSignInMigration,
	'0008_messages': messagesMigration,
	'0010_auto_checks': autoChecksMigration,
	'0011_review_details': reviewDetailsMigration,
	'0012_calibration_agents': calibrationAgentsMigration,
	'0013_check_results': checkResultsMigration,
	'0014_kept_facts': keptFactsMigration,
	'0015_speed_clock': speedClockMigration,
	'0016_fairness_cases': fairnessCasesMigration,
	'0017_consistency_counts': consistencyCountsMigration,
	'0018_thread_facts': threadFactsMigration,
	'0019_speed_summary': speedSummaryMigration,
	'0020_theme_reports': themeReportsMigration
};

export const migrationProvider: MigrationProvider = {
	async getMigrations() {
		return migrations;
	}
};
