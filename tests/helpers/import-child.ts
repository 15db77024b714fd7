// Run by tests/integration/crash-recovery.test.ts as its own process, to be killed mid-import:
// imports FILE into the database DB (archive ARCHIVE), printing each stage as it starts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase } from '../../src/lib/core/db/database.server';
import { ingestFile } from '../../src/lib/imports/ingest-file.server';
import { makeTempDir } from '../../src/lib/imports/temp-files.server';

const [file, dbPath, archiveDir] = process.argv.slice(2);
const open = await openDatabase(dbPath);
// What an upload leaves in the temp folder while it is imported.
const upload = await makeTempDir('upload');
await writeFile(join(upload, 'upload'), 'x'.repeat(1024 * 1024));
console.log(`temp ${upload}`);
await ingestFile(open.db, {
	path: file,
	kind: 'cases',
	importedBy: 'test',
	source: 'cli',
	archiveDir,
	maxBytes: 1024 * 1024 * 1024,
	onProgress: (p) => console.log(`stage ${p.stage}`)
});
console.log('done');
await open.close();
