import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { freshCliBundle } from '../../scripts/build-cli.js';
import { newest } from '../../scripts/build-if-stale.js';
import { runCli } from '../helpers/run-cli';

// `caselens` runs from a bundle of the CLI (scripts/build-cli.js): it must be as new as the
// sources and say what the TypeScript says.
const root = resolve('.');

describe('the bundled CLI', () => {
	test('is rebuilt when older than a source, and bin/caselens.js prints what the CLI in process prints', async () => {
		const bundle = await freshCliBundle(root);
		expect(statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(Math.max(newest(resolve('src')), newest(resolve('config'))));
		const printed = execFileSync(process.execPath, ['bin/caselens.js', '--help'], { encoding: 'utf8' });
		const inProcess = await runCli(['--help']);
		expect(inProcess.code).toBe(0);
		expect(printed.trim()).toBe(inProcess.out.trim());
		expect(printed).toContain('metrics');
	}, 60_000);
});
