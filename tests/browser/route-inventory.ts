import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface RouteInfo {
	id: string;
	/** The route answers GET (a page or a GET endpoint). */
	reads: boolean;
	/** The route accepts writes (form actions or POST/PUT/PATCH/DELETE endpoints). */
	writes: boolean;
}

/** Every route in src/routes, read from the file system so a new route cannot be missed. */
export function listRoutes(root = 'src/routes'): RouteInfo[] {
	const routes: RouteInfo[] = [];
	const walk = (dir: string) => {
		const files = readdirSync(dir);
		const page = files.includes('+page.svelte') || files.includes('+page.server.ts');
		const server = files.includes('+server.ts') ? readFileSync(join(dir, '+server.ts'), 'utf8') : '';
		const pageServer = files.includes('+page.server.ts') ? readFileSync(join(dir, '+page.server.ts'), 'utf8') : '';
		if (page || server) {
			const rel = relative(root, dir).split(sep).join('/');
			routes.push({
				id: rel ? `/${rel}` : '/',
				reads: page || /export const GET\b/.test(server),
				writes: /export const actions\b/.test(pageServer) || /export const (POST|PUT|PATCH|DELETE)\b/.test(server)
			});
		}
		for (const f of files) if (statSync(join(dir, f)).isDirectory()) walk(join(dir, f));
	};
	if (!existsSync(root)) throw new Error(`${root} not found: run the tests from the project root`);
	walk(root);
	return routes.sort((a, b) => a.id.localeCompare(b.id));
}

/** A concrete URL for a route id, with sample parameters that exist in the demo data. */
export function sampleUrl(id: string): string {
	return id.replace('/imports/[id]', '/imports/1').replace('/cases/[id]', '/cases/case-00000001').replace('/api/metrics/[metric]', '/api/metrics/speed');
}
