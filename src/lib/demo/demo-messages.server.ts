/**
 * The conversation of every demo case (demo-messages.csv, the canonical messages file of
 * src/lib/conversations/model.ts), written beside the case row by generate-demo.server.ts.
 *
 * Its draws come from a stream of their own, so the case and feedback files are byte for byte what
 * they were before conversations existed (tests and docs/demo-data.md depend on their numbers).
 * The thread agrees with the case: the customer opens it at created_at, the first public agent
 * message is at first_response_at, the last agent reply at resolved_at, nothing after the snapshot;
 * bots, system messages and internal notes never come before the case's own first response as an
 * agent's public reply would. Planted effects show where a reader would see them: the rising
 * theme's phrase in customers' openings, customers of the slow region nudging more often (their
 * wait is longer), and internal notes behind the inconsistent team's and new accounts' denials.
 */
import { hash32, Rng } from '../core/random';
import { RISING_THEME } from './planted-effects.server';
import { COMMA, NEWLINE } from './csv-sink.server';
import type { Lang } from './reference-data';
import type { Texts } from './text-templates.server';

export const DEMO_MESSAGE_COLUMNS = ['case_id', 'sequence', 'sent_at', 'author_role', 'author_name', 'public', 'body'] as const;

/** What the thread needs to know of its case (times in epoch seconds; -1 or Infinity = none). */
export interface DemoThreadCase {
	caseId: string;
	created: number;
	/** -1 when the case never got a reply; may be after the snapshot (not answered yet). */
	firstResponse: number;
	/** Infinity or after the snapshot when not resolved by then. */
	resolved: number;
	lang: Lang;
	channel: string;
	category: string;
	outcome: string;
	agentId: string;
	subject: string;
	escalated: boolean;
	/** Planted: the inconsistent team's decision on its category (effect 3 of planted-effects.server.ts). */
	inconsistentTeam: boolean;
	/** Planted: the denial came from the new-account effect (effect 2). */
	newAccountDenial: boolean;
}

/** The few CsvSink methods the writer uses (csv-sink.server.ts). */
export interface ByteSink {
	reserve(n: number): void;
	byte(c: number): void;
	ascii(s: string): void;
	uint(n: number): void;
	ts(sec: number): void;
	text(s: string): void;
}

const NAMES: Texts = {
	en: ['Emma W.', 'Liam B.', 'Olivia P.', 'Raj K.', 'Yuki T.', 'Chloe L.', 'Aisha K.', 'Noah S.'],
	pt: ['Maria S.', 'João O.', 'Ana C.', 'Pedro P.', 'Lucas S.', 'Beatriz C.'],
	es: ['Sofía G.', 'Carlos L.', 'Valentina M.', 'Mateo R.', 'Lucía F.']
};

/** The customer's opening: the subject, then a sentence by the kind of problem ({n}: a number). */
const DETAIL: Record<string, Texts> = {
	question: {
		en: ['Could you tell me before I order?', 'I could not find this on the product page.', 'Thanks in advance for the help.'],
		pt: ['Podem me responder antes de eu comprar?', 'Não achei essa informação no site.', 'Obrigado desde já.'],
		es: ['¿Me pueden responder antes de comprar?', 'No encontré esto en la página.', 'Gracias de antemano.']
	},
	order: {
		en: ['It has been {n} days and nothing has changed.', 'The order page just says "processing".', 'I need it by the weekend, please check.'],
		pt: ['Já são {n} dias e nada mudou.', 'A página do pedido só diz "em processamento".', 'Preciso até o fim de semana, podem verificar?'],
		es: ['Ya pasaron {n} días y nada cambió.', 'La página del pedido solo dice "en proceso".', 'Lo necesito para el fin de semana.']
	},
	claim: {
		en: ['I have photos if you need them.', 'This is the second time this happens.', 'Please tell me what I need to send.'],
		pt: ['Tenho fotos, se precisarem.', 'É a segunda vez que isso acontece.', 'Me digam o que preciso enviar.'],
		es: ['Tengo fotos si las necesitan.', 'Es la segunda vez que pasa.', 'Díganme qué tengo que enviar.']
	},
	money: {
		en: ['The amount on my statement does not match.', 'I want this sorted out quickly.', 'I already wrote about this once.'],
		pt: ['O valor na fatura não bate.', 'Quero isso resolvido logo.', 'Já escrevi sobre isso uma vez.'],
		es: ['El monto en mi estado de cuenta no coincide.', 'Quiero que lo resuelvan rápido.', 'Ya escribí sobre esto una vez.']
	}
};
const DETAIL_OF: Record<string, keyof typeof DETAIL> = {
	product_info: 'question', shipping_policy: 'question', return_policy: 'question', currency: 'question', policy_clarification: 'question',
	order_status: 'order', shipping_delay: 'order', tracking_irregular: 'order', address_change: 'order', delivery_verification: 'order',
	return_request: 'claim', defect: 'claim', transit_damage: 'claim', wrong_item: 'claim',
	order_dispute: 'money', refund_request: 'money', after_sale_dispute: 'money'
};
/** Categories where a customer writes about tracking, and the rising theme's sentences (its phrase in every language). */
const TRACKING_CATEGORIES = new Set(['order_status', 'shipping_delay', 'tracking_irregular']);
const TRACKING: Texts = {
	en: [`The ${RISING_THEME.phrases.en} for {n} days now, where is my parcel?`],
	pt: [`O ${RISING_THEME.phrases.pt} há {n} dias, cadê meu pacote?`],
	es: [`El ${RISING_THEME.phrases.es} hace {n} días, ¿dónde está mi paquete?`]
};
/** Share of tracking-category openings with the theme's phrase, before the rise (×multiplier after it). */
const TRACKING_BASE_SHARE = 0.12;

const ACK: Record<string, Texts> = {
	auto: {
		en: ['We received your message (case {c}). An agent will reply as soon as possible.'],
		pt: ['Recebemos sua mensagem (caso {c}). Um atendente responderá o quanto antes.'],
		es: ['Recibimos tu mensaje (caso {c}). Un agente responderá lo antes posible.']
	},
	chat: {
		en: ['Hi! You are number {n} in the queue. An agent will join shortly.'],
		pt: ['Olá! Você é o número {n} na fila. Um atendente já vai entrar.'],
		es: ['¡Hola! Eres el número {n} en la fila. Un agente se unirá pronto.']
	},
	phone: { en: ['Inbound call logged ({n} min in the queue).'], pt: ['Ligação recebida registrada ({n} min na fila).'], es: ['Llamada entrante registrada ({n} min en la fila).'] }
};
const NUDGE: Texts = {
	en: ['Any update? I am still waiting for an answer.', 'Hello? Nobody has replied yet.', 'Still waiting, this is taking too long.'],
	pt: ['Alguma novidade? Ainda estou esperando resposta.', 'Oi? Ninguém respondeu ainda.', 'Continuo esperando, está demorando demais.'],
	es: ['¿Alguna novedad? Sigo esperando respuesta.', '¿Hola? Nadie respondió todavía.', 'Sigo esperando, está tardando mucho.']
};
const FIRST_REPLY: Texts = {
	en: ['Hi {name}, thanks for reaching out. I am looking into this now.', 'Hello {name}, sorry for the trouble. Let me check what happened.', 'Hi {name}, thanks for your patience. I have your case in front of me.'],
	pt: ['Oi {name}, obrigado pelo contato. Já estou verificando.', 'Olá {name}, desculpe o transtorno. Vou ver o que aconteceu.', 'Oi {name}, obrigado pela paciência. Estou com seu caso aqui.'],
	es: ['Hola {name}, gracias por escribir. Ya lo estoy revisando.', 'Hola {name}, perdón por las molestias. Déjame ver qué pasó.', 'Hola {name}, gracias por tu paciencia. Tengo tu caso aquí.']
};
const CUSTOMER_MIDDLE: Texts = {
	en: ['Thanks. I have attached the photos you asked for.', 'Ok, I will wait for your answer.', 'The order number is in my first message.'],
	pt: ['Obrigado. Anexei as fotos que pediram.', 'Ok, vou aguardar a resposta.', 'O número do pedido está na minha primeira mensagem.'],
	es: ['Gracias. Adjunté las fotos que pidieron.', 'Ok, espero su respuesta.', 'El número de pedido está en mi primer mensaje.']
};
const AGENT_MIDDLE: Texts = {
	en: ['Thank you, I have passed this on to the team that handles it.', 'I am still waiting for the carrier to confirm, I will update you.'],
	pt: ['Obrigado, encaminhei para a equipe responsável.', 'Ainda aguardo a confirmação da transportadora, te aviso.'],
	es: ['Gracias, lo pasé al equipo responsable.', 'Sigo esperando la confirmación del transportista, te aviso.']
};
const ESCALATION: Texts = { en: ['Escalated to tier 2 support.'], pt: ['Escalado para o suporte nível 2.'], es: ['Escalado al soporte de nivel 2.'] };
const FINAL: Record<string, Texts> = {
	approved: { en: ['Good news: your request is approved. You will receive a confirmation e-mail.'], pt: ['Boa notícia: sua solicitação foi aprovada. Você vai receber um e-mail de confirmação.'], es: ['Buenas noticias: tu solicitud fue aprobada. Recibirás un correo de confirmación.'] },
	partially_approved: { en: ['We can offer a partial refund for this order; the amount will show on your statement in a few days.'], pt: ['Podemos oferecer um reembolso parcial deste pedido; o valor aparece na fatura em alguns dias.'], es: ['Podemos ofrecer un reembolso parcial de este pedido; el monto aparecerá en unos días.'] },
	denied: {
		en: ['I am sorry, but we cannot approve this request under our policy.', 'After review, your claim has been denied.'],
		pt: ['Sinto muito, mas não podemos aprovar esta solicitação pela nossa política.', 'Após análise, sua reclamação foi negada.'],
		es: ['Lo siento, pero no podemos aprobar esta solicitud según nuestra política.', 'Tras la revisión, tu reclamo fue rechazado.']
	},
	replaced: { en: ['We are sending you a replacement; you will get the tracking number by e-mail.'], pt: ['Vamos enviar um novo produto; o código de rastreio chega por e-mail.'], es: ['Te enviamos un reemplazo; recibirás el número de seguimiento por correo.'] },
	refunded: { en: ['Your refund has been issued to the original payment method.'], pt: ['Seu reembolso foi feito na forma de pagamento original.'], es: ['Tu reembolso fue emitido al medio de pago original.'] },
	info_provided: { en: ['I hope this answers your question. Is there anything else I can help with?'], pt: ['Espero ter respondido sua dúvida. Posso ajudar em algo mais?'], es: ['Espero haber respondido tu pregunta. ¿Puedo ayudarte en algo más?'] },
	escalated: { en: ['Your case is now with our specialist team, who will contact you directly.'], pt: ['Seu caso está com nossa equipe especializada, que vai entrar em contato.'], es: ['Tu caso está con nuestro equipo especializado, que te contactará.'] },
	withdrawn: { en: ['As you asked, I am closing this request. Write to us any time.'], pt: ['Como pediu, estou encerrando esta solicitação. Conte conosco.'], es: ['Como pediste, cierro esta solicitud. Escríbenos cuando quieras.'] }
};
const WITHDRAW: Texts = { en: ['Never mind, I sorted it out myself. You can close this.'], pt: ['Deixa pra lá, já resolvi sozinho. Podem encerrar.'], es: ['No importa, ya lo resolví. Pueden cerrar.'] };
const CLOSED_WITHDRAWN = 'Closed: the customer withdrew the request.';
// Internal notes are written by agents for agents, in English whatever the customer's language.
const NOTES = ['Checked the order history, nothing unusual.', 'Asked the warehouse for the packing photos.', 'Customer called before about the same order.', 'Carrier portal shows no scan since dispatch.'];
const NOTE_INCONSISTENT = 'Team practice: wrong-item claims are denied unless the customer sends photos within 24 h.';
const NOTE_NEW_ACCOUNT = 'New account (under 90 days): denied as a precaution.';

interface Message {
	at: number;
	role: 'customer' | 'agent' | 'system' | 'bot';
	name: string;
	isPublic: boolean;
	body: string;
}

const ROW_RESERVE = 256;

/** A nudge comes when the customer waited longer than this without an answer. */
const NUDGE_AFTER_SEC = 6 * 3600;

export class DemoThreadWriter {
	private readonly rng: Rng;
	count = 0;

	constructor(
		private readonly out: ByteSink,
		seed: number,
		private readonly endSec: number,
		/** Rising theme planted: the phrase's share multiplies in the window before `end`. */
		private readonly riseFrom: number | null
	) {
		// A stream of its own: the case and feedback streams must not move (see the file comment).
		this.rng = new Rng(hash32(seed ^ 0x6d657373));
		out.reserve(ROW_RESERVE);
		out.ascii(DEMO_MESSAGE_COLUMNS.join(',') + '\n');
	}

	/** A text in `lang`; {n} is a small number, other placeholders come from `values`. */
	private say(texts: Texts, lang: Lang, values?: Record<string, string>): string {
		const text = this.rng.pick(texts[lang]);
		if (!text.includes('{')) return text;
		return text.replace(/\{(\w+)\}/g, (_, key: string) => (key === 'n' ? String(2 + this.rng.int(9)) : (values?.[key] ?? '')));
	}

	/** An instant strictly inside (from, to), or undefined when there is no room. */
	private between(from: number, to: number): number | undefined {
		if (to - from < 3) return undefined;
		return from + 1 + this.rng.int(to - from - 1);
	}

	write(c: DemoThreadCase): void {
		const { rng } = this;
		const end = this.endSec;
		const customer = rng.pick(NAMES[c.lang]);
		const answered = c.firstResponse >= 0 && c.firstResponse <= end;
		const resolved = c.resolved <= end;
		const messages: Message[] = [];
		const push = (at: number, role: Message['role'], name: string, body: string, isPublic = true) => messages.push({ at, role, name, isPublic, body });

		// Opening, in the customer's language; tracking cases name the rising theme, more often in its window.
		let detail = this.say(DETAIL[DETAIL_OF[c.category] ?? 'question'], c.lang);
		if (TRACKING_CATEGORIES.has(c.category)) {
			const share = TRACKING_BASE_SHARE * (this.riseFrom !== null && c.created >= this.riseFrom ? RISING_THEME.multiplier : 1);
			if (rng.chance(share)) detail = this.say(TRACKING, c.lang);
		}
		push(c.created, 'customer', customer, `${c.subject}\n\n${detail}`);

		// An acknowledgement within the first minute, before any agent (never later than the snapshot).
		const limitAck = answered ? Math.max(c.created, c.firstResponse - 1) : end;
		const ackAt = Math.min(c.created + 2 + rng.int(58), limitAck, end);
		if (c.channel === 'phone') push(ackAt, 'system', 'System', this.say(ACK.phone, c.lang));
		else push(ackAt, 'bot', c.channel === 'chat' || c.channel === 'social' ? 'Chat assistant' : 'Auto-reply', this.say(ACK[c.channel === 'chat' || c.channel === 'social' ? 'chat' : 'auto'], c.lang, { c: c.caseId }));

		// A nudge when the wait was long (the slow region waits twice as long, so nudges more).
		const waitedUntil = answered ? c.firstResponse : c.firstResponse < 0 && resolved ? c.resolved : end;
		if (waitedUntil - c.created > NUDGE_AFTER_SEC && rng.chance(0.6)) {
			const at = this.between(c.created + NUDGE_AFTER_SEC / 2, waitedUntil);
			if (at !== undefined) push(at, 'customer', customer, this.say(NUDGE, c.lang));
		}

		if (!answered) {
			// Never answered: a withdrawal closes it, else the thread waits at the snapshot.
			if (c.firstResponse < 0 && resolved) {
				const at = this.between(c.created + 60, c.resolved);
				if (at !== undefined) push(at, 'customer', customer, this.say(WITHDRAW, c.lang));
				push(c.resolved, 'system', 'System', CLOSED_WITHDRAWN);
			}
		} else {
			push(c.firstResponse, 'agent', c.agentId, this.say(FIRST_REPLY, c.lang, { name: customer.split(' ')[0] }));
			const until = resolved ? c.resolved : end;
			const middle = rng.int(3);
			if (middle >= 1) {
				const at = this.between(c.firstResponse, until);
				if (at !== undefined) push(at, 'customer', customer, this.say(CUSTOMER_MIDDLE, c.lang));
			}
			if (middle === 2 || c.escalated) {
				const at = this.between(c.firstResponse, until);
				if (at !== undefined) {
					if (c.escalated) push(at, 'system', 'System', this.say(ESCALATION, c.lang));
					else push(at, 'agent', c.agentId, this.say(AGENT_MIDDLE, c.lang));
				}
			}
			if (resolved) push(c.resolved, 'agent', c.agentId, this.say(FINAL[c.outcome] ?? FINAL.info_provided, c.lang));
		}

		// Sometimes an internal note; always one behind a planted denial, just before the decision.
		const planted = resolved && answered && c.outcome === 'denied' && (c.inconsistentTeam || c.newAccountDenial);
		if (planted) {
			const at = this.between(c.firstResponse, c.resolved);
			if (at !== undefined) push(at, 'agent', c.agentId, c.inconsistentTeam ? NOTE_INCONSISTENT : NOTE_NEW_ACCOUNT, false);
		} else if (rng.chance(0.3)) {
			const at = this.between(c.created, answered ? (resolved ? c.resolved : end) : end);
			if (at !== undefined) push(at, 'agent', c.agentId, rng.pick(NOTES), false);
		}

		// Time order; the order pushed breaks ties (the opening before its acknowledgement).
		messages.sort((a, b) => a.at - b.at);
		const o = this.out;
		messages.forEach((m, i) => {
			o.reserve(ROW_RESERVE);
			o.ascii(c.caseId);
			o.byte(COMMA);
			o.uint(i + 1);
			o.byte(COMMA);
			o.ts(m.at);
			o.byte(COMMA);
			o.ascii(m.role);
			o.byte(COMMA);
			o.text(m.name);
			o.byte(COMMA);
			o.ascii(m.isPublic ? 'true' : 'false');
			o.byte(COMMA);
			o.text(m.body);
			o.byte(NEWLINE);
		});
		this.count += messages.length;
	}
}
