// Builds the dashboard when any source is newer than the last build. Shared by `npm start`
// and the browser tests so both serve what the sources say.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'config', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json'];

/**
 * @param {string} path
 * @returns {number} the newest modification time under path
 */
export function newest(path) {
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** @param {string} root the project folder */
export function buildIfStale(root = '.') {
	const entry = join(root, 'build/index.js');
	const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
	const sources = Math.max(...SOURCES.map((s) => join(root, s)).filter(existsSync).map(newest));
	if (sources <= built) return;
	console.log('Caselens: building the dashboard (once per source change)...');
	const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: ['inherit', 'pipe', 'inherit'], cwd: root, encoding: 'utf8' });
	// SvelteKit ends every build with "Run npm run preview to preview your production build":
	// wrong advice here, where the build is already being served.
	const output = (result.stdout ?? '').split('\n').filter((line) => line.trim() && !line.includes('npm run preview'));
	if (output.length) console.log(output.join('\n'));
	if (result.status !== 0) throw new Error(`vite build failed with exit code ${result.status}`);
}
