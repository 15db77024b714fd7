#!/usr/bin/env node
// The CLI is TypeScript shared with the server. It runs from a bundle built on first use after a
// source change (scripts/build-cli.js), so `npx caselens` works right after `npm install` with
// no build step; where the bundle cannot be written (a read-only install), tsx compiles it on
// the fly instead.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { freshCliBundle } from '../scripts/build-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = await freshCliBundle(root).catch(() => null);
let cli;
if (bundle) cli = await import(pathToFileURL(bundle).href);
else {
	const { register } = await import('tsx/esm/api');
	register();
	cli = await import('../src/cli/main.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
