import { createInterface } from 'node:readline/promises';
import { isRole, ROLES } from '../../lib/core/auth/roles';
import { appConfig } from '../../lib/core/config.server';
import { generatePassword } from '../../lib/core/auth/passwords.server';
import { AccountError, addUser, setPassword } from '../../lib/core/auth/users.server';
import { parse, UsageError } from '../args';
import { localActor, onDatabaseOrServer, ServerRefusal } from '../server-handoff';

export const userHelp = `caselens user add NAME --role ROLE [--name "Full Name"] [--password-stdin] | user reset-password NAME [--password-stdin]

Adds an account or gives it a new password (ending its sessions). Without --password-stdin a
random password is generated and printed once. Roles: ${ROLES.join(', ')}.
While the server holds the database, the change is made through it (POST /api/users and
/api/users/NAME/password), recorded in the audit trail under your system user name.`;

async function readPassword(): Promise<string> {
	const lines = createInterface({ input: process.stdin });
	for await (const line of lines) {
		lines.close();
		return line;
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
	const given = values['password-stdin'] ? await readPassword() : undefined;
	const actor = localActor();
	let password: string;
	try {
		password = await onDatabaseOrServer(
			appConfig(values.db).dbPath,
			async (db) => {
				const chosen = given ?? generatePassword();
				if (action === 'add') await addUser(db, { username, role: values.role as string, password: chosen, displayName: values.name }, actor);
				else await setPassword(db, username.toLowerCase(), chosen, actor, 'user.reset_password');
				return chosen;
			},
			async (ask) => {
				// The server generates the password when none is given and answers it once.
				const json = action === 'add' ? { username, role: values.role, display_name: values.name, password: given } : { password: given };
				const path = action === 'add' ? '/api/users' : `/api/users/${encodeURIComponent(username.toLowerCase())}/password`;
				const answer = (await (await ask({ path, method: 'POST', json, instead: "Look at the server's console" })).json()) as { password?: string };
				const set = given ?? answer.password;
				if (set === undefined) throw new Error('The server changed the account but did not answer the password it generated.');
				return set;
			}
		);
	} catch (error) {
		if (error instanceof AccountError || (error instanceof ServerRefusal && error.code === 'account_refused')) {
			console.error(`caselens user: ${error.message}`);
			return 1;
		}
		throw error;
	}
	const generated = given === undefined;
	const done = action === 'add' ? `Added ${username} (${values.role}).` : `New password set for ${username}; its sessions were ended.`;
	if (values.json) console.log(JSON.stringify({ username, action, ...(generated ? { password } : {}) }));
	else console.log(generated ? `${done} Password (shown once): ${password}` : done);
	return 0;
}
