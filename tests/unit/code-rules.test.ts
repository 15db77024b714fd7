import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

// Rules of the code layout (docs/ARCHITECTURE.md) that a reviewer would otherwise have to
// remember: pages never reach server code, role decisions live in one table, comments cite only
// files inside the repository.

function walk(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

const SOURCES = walk('src').filter((f) => /\.(ts|svelte|js)$/.test(f));

/** Modules that run in the browser: components, pages, and lib modules not named *.server.ts. */
function isBrowserSide(file: string): boolean {
	if (file.startsWith('src/cli/') || file === 'src/hooks.server.ts' || file.endsWith('.d.ts')) return false;
	if (/\.server\.ts$/.test(file) || /\+(page|layout)\.server\.ts$/.test(file) || /\+server\.ts$/.test(file)) return false;
	if (file.includes('/db/kysely-duckdb/') || file.includes('/db/migrations/') || file.endsWith('/db/schema.ts')) return false;
	return true;
}

/** Runtime imports only: `import type` is erased by the compiler and never reaches the browser. */
function specifiers(text: string): string[] {
	const runtime = text.replace(/import\s+type\s+\{[^}]*\}\s*from\s*['"][^'"]+['"]/g, '');
	return [...runtime.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

function resolveSpecifier(file: string, spec: string): string {
	if (spec.startsWith('$lib/')) return normalize(join('src/lib', spec.slice(5)));
	if (spec.startsWith('.')) return normalize(join(dirname(file), spec));
	return spec;
}

describe('code layout rules', () => {
	test('no browser-side module imports server code, Node built-ins or DuckDB', () => {
		const offences: string[] = [];
		for (const file of SOURCES.filter(isBrowserSide)) {
			for (const spec of specifiers(readFileSync(file, 'utf8'))) {
				const target = resolveSpecifier(file, spec);
				if (/\.server(\.ts)?$/.test(target) || target.includes('/db/kysely-duckdb') || target.startsWith('node:') || target.startsWith('@duckdb/') || target === 'kysely') {
					offences.push(`${file} imports ${spec}`);
				}
			}
		}
		expect(offences).toEqual([]);
	});

	test('the rule catches an offence (checked on a made-up page)', () => {
		const spec = specifiers(`<script>import { x } from '$lib/metrics/speed/speed.server';</script>`)[0];
		expect(/\.server(\.ts)?$/.test(resolveSpecifier('src/routes/speed/+page.svelte', spec))).toBe(true);
	});

	test('no route or service decides by role name: access-rules.ts answers with can()', () => {
		const handChecks = /\brole\s*[!=]==?\s*['"]|['"](admin|qa_manager|reviewer|lead|viewer)['"]\s*[!=]==?\s*[\w.?]*role\b|\.includes\(\s*[\w.?]*role\s*\)/;
		const allowed = new Set(['src/lib/core/auth/access-rules.ts', 'src/lib/core/auth/roles.ts']);
		const offences = SOURCES.filter((f) => !allowed.has(f) && handChecks.test(readFileSync(f, 'utf8'))).map((f) => relative('.', f));
		expect(offences).toEqual([]);
		expect(handChecks.test(`const canEdit = locals.user?.role === 'admin';`)).toBe(true);
	});

	test('only src/lib/core/config.server.ts reads the environment', () => {
		const reads = /process\.env\b/;
		const offences = SOURCES.filter((f) => f !== 'src/lib/core/config.server.ts' && reads.test(readFileSync(f, 'utf8')));
		expect(offences).toEqual([]);
		expect(reads.test('const port = process.env.PORT;')).toBe(true);
	});

	test('every refusal has one shape: no route answers {error: ...} or calls fail() by hand', () => {
		// Pages get form.problem from failWith, APIs a Problem from errorResponse (src/lib/core/http-errors.server.ts).
		const oldShapes = /json\(\s*\{\s*error\s*:|\bfail\(\s*\d+/;
		const allowed = new Set(['src/lib/core/http-errors.server.ts']);
		const offences = SOURCES.filter((f) => !allowed.has(f) && oldShapes.test(readFileSync(f, 'utf8')));
		expect(offences).toEqual([]);
		expect(oldShapes.test(`return fail(400, { error: 'x' });`)).toBe(true);
		expect(oldShapes.test(`return json({ error: 'x' }, { status: 404 });`)).toBe(true);
	});

	test('comments cite only files inside the repository', () => {
		const outside = SOURCES.filter((f) => /DESIGN\.md|\.\.\/shared\//.test(readFileSync(f, 'utf8')));
		expect(outside).toEqual([]);
	});
});
