import type { SessionUser } from '$lib/core/auth/roles';

// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Locals {
			user?: SessionUser;
		}
		interface Error {
			message: string;
			hint?: string;
		}
	}
}

export {};
