/** The stopword package (v3) ships no type declarations: the lists used here, typed. */
declare module 'stopword' {
	export const eng: string[];
	export const por: string[];
	export const porBr: string[];
	export const spa: string[];
	export const fra: string[];
	export const deu: string[];
	export const ita: string[];
	export const nld: string[];
}

/** stopwords-iso is one JSON object: ISO 639-1 code → its stop words. */
declare module 'stopwords-iso' {
	const lists: Record<string, string[]>;
	export default lists;
}
