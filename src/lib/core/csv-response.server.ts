import Papa from 'papaparse';

/**
 * A streamed CSV download. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * are neutralised by papaparse's escapeFormulae, because exported comments and raw rows are
 * user-controlled text.
 */
export function csvResponse<Row extends Record<string, unknown>>(fileName: string, columns: (keyof Row & string)[], rows: AsyncIterable<Row>): Response {
	const encoder = new TextEncoder();
	const iterator = rows[Symbol.asyncIterator]();
	let headerSent = false;
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!headerSent) {
				headerSent = true;
				controller.enqueue(encoder.encode(toCsvLines([Object.fromEntries(columns.map((c) => [c, c])) as Row], columns)));
				return;
			}
			const batch: Row[] = [];
			while (batch.length < 1000) {
				const next = await iterator.next();
				if (next.done) break;
				batch.push(next.value);
			}
			if (batch.length) controller.enqueue(encoder.encode(toCsvLines(batch, columns)));
			if (batch.length < 1000) controller.close();
		},
		async cancel() {
			await iterator.return?.();
		}
	});
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]+/g, '_')}"`
		}
	});
}

export function toCsvLines<Row extends Record<string, unknown>>(rows: Row[], columns: (keyof Row & string)[]): string {
	const data = rows.map((row) => columns.map((c) => (row[c] instanceof Date ? (row[c] as Date).toISOString() : (row[c] ?? ''))));
	return `${Papa.unparse(data, { header: false, escapeFormulae: true, newline: '\r\n' })}\r\n`;
}
