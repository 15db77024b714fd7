import type { Handle, ServerInit } from '@sveltejs/kit';
import { startServer } from '$lib/server/startup';

export const init: ServerInit = async () => {
	await startServer();
};

export const handle: Handle = async ({ event, resolve }) => {
	return resolve(event);
};
