// `npm start`: build the dashboard when the sources changed, then serve it on
// http://localhost:3000 (scripts/serve.js) with demo data loaded into an empty database.
import { spawn } from 'node:child_process';
import { buildIfStale } from './build-if-stale.js';

try {
	buildIfStale();
} catch (error) {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
}

const server = spawn(process.execPath, ['scripts/serve.js'], {
	stdio: 'inherit',
	env: {
		CASELENS_DEMO: '1',
		PORT: '3000',
		...process.env
	}
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
