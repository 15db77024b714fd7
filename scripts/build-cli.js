// The CLI bundled into one file (build/cli/main.js) when any source is newer than the bundle.
// Compiling the TypeScript on every start (tsx) took about 1.5 s of each command; loading the
// bundle takes a tenth of that, and building it half a second, once per source change.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newest } from './build-if-stale.js';

const SOURCES = ['src', 'config', 'package.json'];

/**
 * @param {string} root the project folder
 * @returns {Promise<string>} the path of a bundle as new as the sources
 */
export async function freshCliBundle(root) {
	const out = join(root, 'build/cli/main.js');
	const built = existsSync(out) ? statSync(out).mtimeMs : 0;
	const sources = Math.max(...SOURCES.map((s) => join(root, s)).filter(existsSync).map(newest));
	if (sources <= built) return out;
	const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
	// Packages stay in node_modules, except stopwords-iso: its entry is a JSON file, which Node
	// imports only with an import attribute that the sources do not write.
	const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((name) => name !== 'stopwords-iso');
	const { build } = await import('esbuild');
	mkdirSync(dirname(out), { recursive: true });
	// Written aside and renamed: two commands started together never load a half-written bundle.
	const partial = `${out}.${process.pid}.partial`;
	try {
		await build({ entryPoints: [join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', external, outfile: partial, logLevel: 'warning' });
		renameSync(partial, out);
	} finally {
		rmSync(partial, { force: true });
	}
	return out;
}
