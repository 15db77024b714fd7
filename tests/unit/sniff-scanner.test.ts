import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/lib/imports/sniff/scanner.server';

// The scanner counts line ends by kind outside quoted values, chunk by chunk. Whatever the chunk
// boundaries, its counts must be those of walking the bytes one by one.
function walked(text: string): { crlf: number; lf: number; lines: number } {
	let inQuotes = false;
	let crlf = 0;
	let lf = 0;
	let lines = 1;
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '"') inQuotes = !inQuotes;
		if (text[i] !== '\n') continue;
		lines++;
		if (inQuotes) continue;
		if (i > 0 && text[i - 1] === '\r') crlf++;
		else lf++;
	}
	return { crlf, lf, lines };
}

function scanned(text: string, chunkBytes: number): { crlf: number; lf: number } {
	const scanner = new Scanner({ checkUtf8: true, failFastOnUtf8: true, maxLineBytes: 1 << 20, terminator: 10, trackQuotes: true });
	const bytes = Buffer.from(text, 'utf8');
	for (let at = 0; at < bytes.length; at += chunkBytes) scanner.update(bytes.subarray(at, at + chunkBytes));
	scanner.finish();
	return { crlf: scanner.crlfLines, lf: scanner.lfLines };
}

describe('Scanner line ends', () => {
	const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('');
	const files: Record<string, string> = {
		'no quote at all': 'case_id,subject\n' + rows(5000, (i) => `C-${i},parcel late ${i % 97}\n`),
		'quoted values with CR LF inside, LF between records': 'case_id,note\n' + rows(800, (i) => (i % 3 ? `C-${i},"line one\r\nline two, ""quoted"""\n` : `C-${i},plain\n`)),
		'CR LF records with quoted LF inside': 'a,b\r\n' + rows(800, (i) => (i % 5 ? `${i},"x\ny"\r\n` : `${i},z\r\n`)),
		'mixed ends outside quotes': rows(600, (i) => `${i},"q"${i % 7 ? '\n' : '\r\n'}`)
	};
	for (const [name, text] of Object.entries(files)) {
		it(`${name}: the counts of a byte-by-byte walk, for any chunk size`, () => {
			const expected = walked(text);
			expect(expected.lines).toBeGreaterThan(500);
			for (const chunk of [1, 2, 7, 64, 4096, text.length]) expect(scanned(text, chunk), `chunks of ${chunk}`).toEqual({ crlf: expected.crlf, lf: expected.lf });
		});
	}
});
