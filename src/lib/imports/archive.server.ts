import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileFormat } from './sniff-file.server';
import type { SpreadsheetFormat } from './spreadsheet.server';

const EXTENSIONS: Record<FileFormat | SpreadsheetFormat, string> = { csv: '.csv', json: '.json', ndjson: '.ndjson', parquet: '.parquet', xlsx: '.xlsx', spreadsheetml: '.xml' };

/**
 * Keeps the raw bytes of an import under a name made of its checksum, so that no part of a
 * user-supplied file name ever reaches the file system and a re-import finds the same file.
 */
export async function archiveRawFile(source: string, archiveDir: string, sha256: string, format: FileFormat | SpreadsheetFormat): Promise<string> {
	await mkdir(archiveDir, { recursive: true });
	const target = join(archiveDir, `${sha256}${EXTENSIONS[format]}`);
	const existing = await stat(target).catch(() => undefined);
	if (!existing) await copyFile(source, target);
	return target;
}
