import { appConfig } from '../../lib/core/config.server';
import { openDatabase } from '../../lib/core/db/database.server';
import { demoAccountLines, loadDemo } from '../../lib/demo/load-demo.server';
import { parse, positiveInteger } from '../args';
import { formatSummary, stepProgress } from '../output';

export const demoHelp = `caselens demo [--cases N] [--seed S] [--null] [--db PATH] [--json]

Generates realistic marketplace cases and feedback with documented planted effects
(docs/demo-data.md) and imports them like any export.

  --cases N   number of cases (default 50000)
  --seed S    random seed (default 42); the same seed gives the same data
  --null      no planted effects (for false-alarm checks)
  --days D    span of the data in days before today (default 365)`;

export async function demoCommand(args: string[]): Promise<number> {
	const { values } = parse(args, {
		cases: { type: 'string' },
		seed: { type: 'string' },
		days: { type: 'string' },
		null: { type: 'boolean', default: false },
		db: { type: 'string' },
		json: { type: 'boolean', default: false }
	});
	const config = appConfig(values.db);
	const cases = positiveInteger(values.cases, 'cases', 50_000);
	const progress = stepProgress(11, !values.json);
	const open = await openDatabase(config.dbPath);
	try {
		const result = await loadDemo(
			open.db,
			{
				cases,
				seed: positiveInteger(values.seed, 'seed', 42),
				days: positiveInteger(values.days, 'days', 365),
				nullMode: values.null,
				archiveDir: config.archiveDir,
				maxBytes: Number.MAX_SAFE_INTEGER,
				importedBy: 'cli:demo'
			},
			(message) => progress.step(message)
		);
		progress.stop();
		if (values.json) console.log(JSON.stringify(result));
		else {
			console.log(`${formatSummary(result.cases)}\n${formatSummary(result.feedback)}\nDemo data loaded into ${config.dbPath} in ${result.seconds.toFixed(1)} s.`);
			if (result.accounts) console.log(demoAccountLines(result.accounts).join('\n'));
		}
	} finally {
		progress.stop();
		await open.close();
	}
	return 0;
}
