import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { isRole, ROLES } from '../../lib/core/auth/roles';
import { appConfig } from '../../lib/core/config.server';
import { generatePassword } from '../../lib/core/auth/passwords.server';
import { AccountError, addUser, setPassword } from '../../lib/core/auth/users.server';
import { openDatabase } from '../../lib/core/db/database.server';
import { parse, UsageError } from '../args';

export const userHelp = `caselens user add NAME --role ROLE [--name "Full Name"] [--password-stdin] | user reset-password NAME [--password-stdin]

Adds an account or gives it a new password (ending its sessions). Without --password-stdin a
random password is generated and printed once. Roles: ${ROLES.join(', ')}.
Stop the server first: DuckDB lets one process write the database file.`;

async function readPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
	if (!fromStdin) return { password: generatePassword(), generated: true };
	const lines = createInterface({ input: process.stdin });
	for await (const line of lines) {
		lines.close();
		return { password: line, generated: false };
	}
	throw new UsageError('--password-stdin: no password on standard input');
}

export async function userCommand(args: string[]): Promise<number> {
	const [action, ...rest] = args;
	const { values, positionals } = parse(rest, {
		role: { type: 'string' },
		name: { type: 'string' },
		'password-stdin': { type: 'boolean', default: false },
		db: { type: 'string' },
		json: { type: 'boolean', default: false }
	});
	const username = positionals[0];
	if (!username) throw new UsageError('give the user NAME');
	if (action !== 'add' && action !== 'reset-password') throw new UsageError('use "user add" or "user reset-password"');
	if (action === 'add' && (!values.role || !isRole(values.role))) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
	const { password, generated } = await readPassword(values['password-stdin']);
	const open = await openDatabase(appConfig(values.db).dbPath);
	const actor = `cli:${userInfo().username}`;
	try {
		if (action === 'add') await addUser(open.db, { username, role: values.role as string, password, displayName: values.name }, actor);
		else await setPassword(open.db, username.toLowerCase(), password, actor, 'user.reset_password');
	} catch (error) {
		if (error instanceof AccountError) {
			console.error(`caselens user: ${error.message}`);
			return 1;
		}
		throw error;
	} finally {
		await open.close();
	}
	const done = action === 'add' ? `Added ${username} (${values.role}).` : `New password set for ${username}; its sessions were ended.`;
	if (values.json) console.log(JSON.stringify({ username, action, ...(generated ? { password } : {}) }));
	else console.log(generated ? `${done} Password (shown once): ${password}` : done);
	return 0;
}
