import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		adapter: adapter({ out: 'build' }),
		// Absolute asset paths: a refused page is answered with the /denied page's HTML
		// (src/hooks.server.ts), whose relative paths would resolve under the refused address.
		paths: { relative: false },
		// Only the app's own scripts run: SvelteKit puts a fresh nonce on its inline scripts, the
		// start-up one and those carrying data a page streams in after its shell (a hash cannot
		// cover a script written after the header was sent). Inline style attributes stay allowed
		// (Svelte's style: directive renders them).
		csp: {
			mode: 'nonce',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
