// Serves the built dashboard (build/handler.js from adapter-node) over plain http. Used by
// `npm start` and the browser tests, so both run the same server.
//
// Why not adapter-node's own build/index.js: without ORIGIN it assumes every request came over
// https, so the sign-in form posted from http://localhost:3000 fails SvelteKit's origin check
// (403 "Cross-site POST form submissions are forbidden"). This server speaks plain http, so,
// unless ORIGIN or PROTOCOL_HEADER say otherwise (a TLS proxy in front), it tells the handler
// the truth: the protocol is http and the host is the one the browser asked for. It also
// listens on 127.0.0.1 unless HOST is set, so a first run is not reachable from the network.
import http from 'node:http';
import process from 'node:process';

const PROTOCOL_HEADER = 'x-caselens-protocol';
const behindProxy = Boolean(process.env.ORIGIN || process.env.PROTOCOL_HEADER);
if (!behindProxy) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;

// Bodies are bounded per route by the app itself (src/lib/core/request-guard.server.ts: 1 MB for
// forms and JSON, CASELENS_MAX_UPLOAD_MB streamed to disk for imports). adapter-node's one limit
// for every route (512 KB by default) would refuse any real export with a bare 500.
process.env.BODY_SIZE_LIMIT ??= 'Infinity';

// Every DuckDB call runs on Node's libuv pool, 4 threads by default: a page firing several queries
// at once (or two slow pages) would queue every other reader's queries, even the sign-in, behind
// them. libuv sizes the pool when it is first used, which is after this line: the dynamic import
// below is the first file read through it.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { handler } = await import('../build/handler.js');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 3000);

const server = http.createServer((req, res) => {
	// Overwritten on every request, so a client cannot claim https through the header.
	if (!behindProxy) req.headers[PROTOCOL_HEADER] = 'http';
	handler(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
});

server.listen(port, host, () => {
	console.log(`Listening on http://${host.includes(':') ? `[${host}]` : host}:${port}`);
});

let stopping = false;
/** Finish the requests in flight, then let the app close the database (hooks.server.ts). */
function shutdown(reason) {
	if (stopping) return;
	stopping = true;
	server.closeIdleConnections();
	const force = setTimeout(() => server.closeAllConnections(), 10_000);
	server.close(() => {
		clearTimeout(force);
		process.emit('sveltekit:shutdown', reason);
	});
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
