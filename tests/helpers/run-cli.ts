import { vi } from 'vitest';
import { main } from '../../src/cli/main';

/** Runs `caselens ARGS` in process and returns its exit code and what it printed. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
	const out: string[] = [];
	const err: string[] = [];
	const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
	const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
	try {
		return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
	} finally {
		log.mockRestore();
		error.mockRestore();
	}
}
