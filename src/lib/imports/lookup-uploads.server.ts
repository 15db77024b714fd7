import { randomUUID } from 'node:crypto';
import { IngestError } from './ingest-error';
import { receiveUpload, type ReceivedUpload } from './receive-upload.server';

/**
 * Second files sent from the upload page before the export itself (a mapping's `lookups`, e.g.
 * Salesforce's Account export): each is held under a token that the import then names. A token
 * is used once; one not used within HOLD_MS is dropped, and a crash leaves only a temp folder that
 * the next start removes (temp-files.server.ts).
 */
const HOLD_MS = 30 * 60_000;
const held = new Map<string, { upload: ReceivedUpload; timer: NodeJS.Timeout }>();

const NAME = /^[A-Za-z0-9_-]{1,40}$/;
const TOKEN = /^[0-9a-f-]{36}$/;

export async function holdLookupUpload(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
	const upload = await receiveUpload(body, maxBytes);
	const token = randomUUID();
	const timer = setTimeout(() => void release(token), HOLD_MS);
	timer.unref();
	held.set(token, { upload, timer });
	return token;
}

async function release(token: string): Promise<void> {
	const entry = held.get(token);
	if (!entry) return;
	held.delete(token);
	clearTimeout(entry.timer);
	await entry.upload.discard();
}

/**
 * The `lookups` parameter of an import ("accounts:TOKEN,other:TOKEN") as paths by name, and a
 * release for after the import. An unknown name or token is a 400 that says to choose the file again.
 */
export function takeLookupUploads(param: string | null): { paths: Record<string, string>; release: () => Promise<void> } {
	const paths: Record<string, string> = {};
	const tokens: string[] = [];
	for (const pair of (param ?? '').split(',').filter(Boolean)) {
		const [name, token] = pair.split(':');
		if (!name || !token || !NAME.test(name) || !TOKEN.test(token)) {
			throw new IngestError('bad_request', `The second files are named as name:token pairs; got "${pair.slice(0, 80)}".`, 'Choose the second file again on the upload page.');
		}
		const entry = held.get(token);
		if (!entry) throw new IngestError('bad_request', `The second file for "${name}" was not received, or was held too long (30 minutes) and dropped.`, 'Choose the second file again and import.');
		paths[name] = entry.upload.path;
		tokens.push(token);
	}
	return { paths, release: async () => void (await Promise.all(tokens.map(release))) };
}
