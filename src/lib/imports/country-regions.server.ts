import type { Kysely } from 'kysely';
import type { Database } from '../core/db/schema';

/**
 * Exports write the country as a code ("DE") or as a name ("Germany", "Deutschland", "United
 * States of America"): both find the region of the country table (country_regions, ISO codes).
 * Names come from the runtime's own ICU data (Intl.DisplayNames) in the languages help desks are
 * commonly run in, plus the older English names ICU no longer uses.
 */
const LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'it', 'nl'] as const;
const OTHER_NAMES: Record<string, string[]> = {
	US: ['USA', 'U.S.', 'U.S.A.', 'United States of America', 'America'],
	GB: ['Great Britain', 'Britain', 'England', 'Scotland', 'Wales', 'Northern Ireland'],
	TR: ['Turkey'],
	CZ: ['Czech Republic'],
	KR: ['Korea', 'Republic of Korea', 'Korea, Republic of'],
	AE: ['UAE'],
	NL: ['Holland', 'The Netherlands'],
	CI: ['Ivory Coast'],
	VN: ['Viet Nam'],
	HK: ['Hong Kong'],
	MO: ['Macau'],
	CN: ["People's Republic of China"],
	TW: ['Taiwan, Province of China']
};

/** The key a country is looked up by: upper case, without accents, with a straight apostrophe. */
export function countryKey(name: string): string {
	return name.trim().normalize('NFD').replace(/\p{Diacritic}/gu, '').replaceAll('’', "'").toUpperCase();
}

/** The same key in SQL, for the value of a column. */
export function countryKeySql(expr: string): string {
	return `upper(strip_accents(replace(trim(${expr}), '’', '''')))`;
}

/** Country code or name (as countryKey gives it) -> region, from the country table. */
export async function countryRegionKeys(db: Kysely<Database>): Promise<Record<string, string>> {
	const rows = await db.selectFrom('country_regions').select(['country', 'region']).execute();
	const keys: Record<string, string> = {};
	const names = LANGUAGES.map((language) => new Intl.DisplayNames([language], { type: 'region', fallback: 'none' }));
	for (const { country, region } of rows) {
		const code = country.trim().toUpperCase();
		const known = /^[A-Z]{2}$/.test(code) ? names.map((n) => n.of(code)).filter((n): n is string => n !== undefined) : [];
		// Codes first and never overwritten by a name: "CH" is Switzerland, whatever a name might say.
		for (const name of [...known, ...(OTHER_NAMES[code] ?? [])]) keys[countryKey(name)] ??= region;
	}
	for (const { country, region } of rows) keys[countryKey(country)] = region;
	return keys;
}
