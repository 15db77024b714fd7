import type { BatchSummaryView } from '$lib/imports/batch-summary';
import { asProblem, type Problem } from '$lib/core/errors';

export interface UploadOptions {
	kind: 'cases' | 'feedback' | 'messages';
	/** Messages only: the file's layout (auto, canonical, zendesk-comments, tweets: conversations/import-options.ts). */
	format?: string;
	preset?: string;
	mapping?: unknown;
	encoding?: string;
	/** For a workbook: the sheet to read (empty = the one with the most rows). */
	sheet?: string;
	/** Second files the mapping looks values up in (for messages, "users": Zendesk's users export), by name: sent first, then named by token. */
	lookups?: Record<string, File>;
}

export interface UploadProgress {
	/** 0..1 over the whole import: the upload is the first 60%, the server's stages the rest. */
	fraction: number;
	message: string;
}

/** Why the upload did not land (src/lib/core/errors.ts): the server's own Problem, or one written here when no answer came. */
export type UploadFailure = Problem;

const SERVER_STAGES: Record<string, number> = { checking: 0.65, loading: 0.75, validating: 0.88, writing: 0.95, done: 1 };

/**
 * Sends the file as the raw request body. XMLHttpRequest, not fetch, because only it reports
 * upload progress; the NDJSON response then reports the server's stages as they happen.
 */
export async function uploadFile(file: File, options: UploadOptions, onProgress: (p: UploadProgress) => void): Promise<BatchSummaryView> {
	const params = new URLSearchParams({ kind: options.kind });
	const held: string[] = [];
	for (const [name, lookup] of Object.entries(options.lookups ?? {})) {
		onProgress({ fraction: 0, message: `Sending the second file "${lookup.name}" (${name})` });
		const response = await fetch('/api/imports/lookup', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: lookup });
		const answer: unknown = await response.json().catch(() => ({}));
		const token = (answer as { token?: unknown }).token;
		if (!response.ok || typeof token !== 'string') throw (asProblem(answer) ?? { code: 'upload_failed', message: `The second file "${lookup.name}" could not be sent (HTTP ${response.status}).`, hint: 'Try again; if it persists, check the server log.' }) satisfies UploadFailure;
		held.push(`${name}:${token}`);
	}
	if (held.length) params.set('lookups', held.join(','));
	if (options.format && options.format !== 'auto') params.set('format', options.format);
	if (options.preset) params.set('preset', options.preset);
	if (options.sheet) params.set('sheet', options.sheet);
	if (options.mapping) params.set('mapping', JSON.stringify(options.mapping));
	if (options.encoding && options.encoding !== 'auto') params.set('encoding', options.encoding);
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `/api/imports?${params}`);
		xhr.setRequestHeader('accept', 'application/x-ndjson');
		xhr.setRequestHeader('content-type', 'application/octet-stream');
		xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name));
		let seen = 0;
		let settled = false;
		const handleLines = () => {
			// The last piece after a split is either empty or a line still arriving: leave it for later.
			const complete = xhr.responseText.slice(seen).split('\n').slice(0, -1);
			for (const line of complete) {
				seen += line.length + 1;
				if (!line.trim()) continue;
				const message = JSON.parse(line) as { progress?: { stage: string; message: string }; summary?: BatchSummaryView; problem?: unknown };
				const problem = asProblem(message.problem);
				if (message.progress) onProgress({ fraction: SERVER_STAGES[message.progress.stage] ?? 0.7, message: message.progress.message });
				else if (message.summary) {
					settled = true;
					resolve(message.summary);
				} else if (problem) {
					settled = true;
					reject(problem);
				}
			}
		};
		xhr.upload.onprogress = (e) => {
			if (e.lengthComputable) onProgress({ fraction: 0.6 * (e.loaded / e.total), message: `Uploading: ${Math.round((100 * e.loaded) / e.total)}%` });
		};
		xhr.onprogress = handleLines;
		xhr.onload = () => {
			handleLines();
			if (settled) return;
			let answer: unknown = null;
			try {
				answer = JSON.parse(xhr.responseText);
			} catch {
				// Not JSON (a proxy's page): said below.
			}
			reject(asProblem(answer) ?? ({ code: 'upload_failed', message: `The server answered ${xhr.status} ${xhr.statusText}.`, hint: 'Try again; if it persists, check the server log.' } satisfies UploadFailure));
		};
		xhr.onerror = () => reject({ code: 'unreachable', message: 'The upload could not reach the server.', hint: 'Check that the Caselens server is running and try again.' } satisfies UploadFailure);
		xhr.send(file);
	});
}
