import { spawn } from 'node:child_process';

export interface LockHolder {
	pid: number;
	/** Ends the holder and waits until it is gone. */
	stop(): Promise<void>;
}

/**
 * Opens the DuckDB file `path` in a separate process and keeps it open, as the server would:
 * DuckDB's file lock is per process, so only another process can make a file "database in use".
 */
export async function holdDatabase(path: string): Promise<LockHolder> {
	// The instance and its connection stay reachable from the timer: once nothing refers to them,
	// a garbage collection closes the database and lets go of the lock mid-test.
	const code = `import { DuckDBInstance } from '@duckdb/node-api';
		const instance = await DuckDBInstance.create(process.argv[1]);
		const connection = await instance.connect();
		await connection.run('create table held (x integer)');
		console.log('ready');
		setInterval(() => { globalThis.held = [instance, connection]; }, 1000);
		globalThis.held = [instance, connection];`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', code, path], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
	const stop = async () => {
		if (child.pid && child.exitCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			process.kill(child.pid, 'SIGTERM');
			await exited;
		}
	};
	await new Promise<void>((resolve, reject) => {
		let err = '';
		const timer = setTimeout(() => reject(new Error('holder did not start in 20 s')), 20_000);
		child.stderr!.on('data', (d) => (err += d));
		child.stdout!.on('data', (d) => {
			if (String(d).includes('ready')) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.on('exit', (status) => {
			clearTimeout(timer);
			reject(new Error(`holder exited with ${status}: ${err}`));
		});
	}).catch(async (error: unknown) => {
		await stop();
		throw error;
	});
	return { pid: child.pid as number, stop };
}
