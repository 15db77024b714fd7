import cliProgress from 'cli-progress';
import type { BatchSummary } from '../lib/imports/ingest-file.server';

/** Progress on stderr, only on a terminal and never in --json mode, so stdout stays parseable. */
export interface StepProgress {
	step(message: string): void;
	stop(): void;
}

export function stepProgress(total: number, enabled: boolean): StepProgress {
	if (!enabled || !process.stderr.isTTY) {
		return { step: () => {}, stop: () => {} };
	}
	const bar = new cliProgress.SingleBar(
		{ format: ' {bar} {percentage}% | {message}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
		cliProgress.Presets.shades_classic
	);
	bar.start(total, 0, { message: 'starting' });
	let done = 0;
	return {
		step(message) {
			done = Math.min(total, done + 1);
			bar.update(done, { message });
		},
		stop() {
			bar.stop();
		}
	};
}

export function formatSummary(s: BatchSummary): string {
	if (s.status === 'duplicate') {
		return `${s.file_name}: already imported as batch ${s.duplicate_of} through the same mapping; nothing changed (give another --preset or --mapping to read it another way).`;
	}
	const lines = [
		`${s.file_name}: batch ${s.batch_id} (${s.kind}, ${s.format}, ${s.encoding}${s.delimiter ? `, delimiter ${JSON.stringify(s.delimiter)}` : ''}, mapping ${s.mapping})`,
		`  rows read ${s.rows_read.toLocaleString('en')} = accepted ${s.accepted.toLocaleString('en')} + rejected ${s.rejected.toLocaleString('en')}` +
			(s.duplicates_in_file ? ` (of which ${s.duplicates_in_file} duplicate ids in the file)` : '') +
			(s.merged ? `; ${(s.accepted - s.merged).toLocaleString('en')} ${s.kind === 'cases' ? 'cases' : 'records'} (${s.merged.toLocaleString('en')} rows repeating an id merged into it)` : '') +
			(s.replaced ? `; ${s.replaced.toLocaleString('en')} earlier rows replaced` : '')
	];
	for (const [column, p] of Object.entries(s.derived)) {
		const parts = [
			p.derived ? `${p.derived.toLocaleString('en')} derived` : '',
			p.defaulted ? `${p.defaulted.toLocaleString('en')} defaulted` : '',
			p.emptied ? `${p.emptied.toLocaleString('en')} placeholders emptied` : '',
			p.dropped ? `${p.dropped.toLocaleString('en')} dropped` : ''
		].filter(Boolean);
		lines.push(`  ${column}: ${parts.join(', ')} (${p.how})`);
	}
	for (const [column, values] of Object.entries(s.unknown_values)) {
		lines.push(`  ${column}: kept as written, not in its list: ${values.map((v) => `${v.value} (${v.count.toLocaleString('en')})`).join(', ')}`);
	}
	for (const [header, n] of Object.entries(s.blank_cells)) lines.push(`  "${header}": ${n.toLocaleString('en')} cells of only no-break spaces read as empty`);
	for (const r of s.top_reasons.slice(0, 5)) lines.push(`  rejected ${r.count}x: ${r.reason}${r.examples.length ? ` (e.g. ${r.examples.map((e) => JSON.stringify(e)).join(', ')})` : ''}`);
	for (const w of s.warnings) lines.push(`  note: ${w}`);
	if (s.feedback) lines.push(`  satisfaction ratings from the same file:`, ...formatSummary(s.feedback).split('\n').map((l) => `  ${l}`));
	return lines.join('\n');
}
