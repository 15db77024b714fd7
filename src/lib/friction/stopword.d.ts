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
