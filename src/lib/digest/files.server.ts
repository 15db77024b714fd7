import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';
import { weeklyDigest } from './digest.server';
import { digestHtml } from './html';
import { digestMarkdown } from './markdown.server';
import { digestOptions, type DigestOptions } from './model';
import { getDatabase } from '../core/db/database.server';

export const DIGEST_FORMATS = ['md', 'html'] as const;
export type DigestFormat = (typeof DIGEST_FORMATS)[number];

export function isDigestFormat(value: unknown): value is DigestFormat {
	return (DIGEST_FORMATS as readonly unknown[]).includes(value);
}

export interface DigestFile {
	week: string;
	body: string;
	contentType: string;
	fileName: string;
}

/** The digest rendered as a file: what the downloads answer and the CLI writes. */
export async function digestFile(db: Kysely<Database>, options: DigestOptions, format: DigestFormat): Promise<DigestFile> {
	const d = await weeklyDigest(db, options);
	return {
		week: d.week.id,
		body: format === 'md' ? digestMarkdown(d) : digestHtml(d),
		contentType: format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8',
		fileName: `caselens-weekly-${d.week.id}.${format}`
	};
}

export function digestResponse(file: DigestFile): Response {
	return new Response(file.body, {
		headers: {
			'content-type': file.contentType,
			'content-disposition': `attachment; filename="${file.fileName}"`,
			// Opened in place rather than saved, the HTML still runs nothing and loads nothing.
			'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
			'x-caselens-week': file.week
		}
	});
}

/** The GET handler of /reports/weekly/report.md and .html: the page's digest, as a file. */
export function digestDownload(format: DigestFormat) {
	return async ({ url }: { url: URL }): Promise<Response> => {
		const options = digestOptions(url.searchParams);
		const { db } = await getDatabase();
		return digestResponse(await digestFile(db, options, format));
	};
}
