const BASE = 'http://caselens.invalid';

/**
 * Where to go after signing in: only a path on this site, so the login form cannot send people
 * elsewhere. Browsers read `/\evil.example` as `//evil.example` and drop tabs and newlines from
 * URLs (`/%09/evil.example`), so the path is resolved as a browser would and must stay on the
 * site; anything else goes to the overview.
 */
export function safeNext(next: string | null | undefined): string {
	if (!next || !next.startsWith('/')) return '/';
	let decoded: string;
	try {
		decoded = decodeURIComponent(next);
	} catch {
		return '/';
	}
	// Decoding keeps every raw backslash and control character, so one check covers both forms.
	if (/[\\\u0000-\u001f\u007f]/.test(decoded) || decoded.startsWith('//')) return '/';
	const url = new URL(next, BASE);
	if (url.origin !== BASE) return '/';
	return url.pathname + url.search + url.hash;
}
