/**
 * The demo's text: case subjects and feedback comments in English, Portuguese and Spanish, with
 * the phrases of the planted rising theme (RISING_THEME, planted-effects.server.ts) and the
 * pieces that exercise parsing and masking (quotes, line breaks, e-mail addresses, phone numbers).
 * Plain data: generate-demo.server.ts draws from it, in a fixed order, with its one seeded stream.
 *
 * Templates may hold {p} (a product), {o} (an order id) and {n} (a small number).
 * Relative imports only: this module also runs under plain `tsx`.
 */
import { RISING_THEME } from './planted-effects.server';
import type { Lang } from './reference-data';

/** One list of phrasings per language. */
export type Texts = Record<Lang, readonly string[]>;

export const PRODUCTS: Texts = {
	en: ['headphones', 'running shoes', 'phone case', 'backpack', 'coffee maker', 'rain jacket', 'smart watch', 'desk lamp', 'blender', 'sneakers', 'gaming mouse', 'yoga mat'],
	pt: ['fones de ouvido', 'tênis de corrida', 'capinha de celular', 'mochila', 'cafeteira', 'jaqueta', 'relógio inteligente', 'luminária', 'liquidificador', 'tênis', 'mouse gamer', 'tapete de yoga'],
	es: ['auriculares', 'zapatillas', 'funda de móvil', 'mochila', 'cafetera', 'chaqueta', 'reloj inteligente', 'lámpara', 'licuadora', 'tenis', 'ratón gamer', 'esterilla de yoga']
};

/** Subject templates: {p} = product, {o} = order id, {n} = a small number. */
export const SUBJECTS: Record<string, Texts> = {
	product_info: {
		en: ['Question about the {p}', 'Is the {p} waterproof?', 'Size and colour options for {p}', 'Does the {p} come with a warranty?', 'Specs of the {p}, please'],
		pt: ['Dúvida sobre {p}', 'O produto {p} é à prova d\'água?', 'Tamanhos e cores de {p}', '{p} tem garantia?'],
		es: ['Pregunta sobre {p}', '¿{p} tiene garantía?', 'Tallas y colores de {p}']
	},
	shipping_policy: {
		en: ['Do you ship to my country?', 'Shipping cost and delivery time', 'Is shipping really free?', 'How long does delivery take?'],
		pt: ['Vocês entregam no meu estado?', 'Frete grátis mesmo?', 'Prazo de entrega', 'Quanto tempo demora a entrega?'],
		es: ['¿Hacen envíos a mi país?', '¿El envío es gratis?', 'Plazo de entrega']
	},
	return_policy: {
		en: ['How do returns work?', 'Return policy question', 'Can I return an opened item?', 'How many days do I have to return?'],
		pt: ['Como funciona a devolução?', 'Dúvida sobre política de troca', 'Posso devolver produto aberto?', 'Qual o prazo para devolução?'],
		es: ['¿Cómo funcionan las devoluciones?', 'Política de devolución', '¿Cuántos días tengo para devolver?']
	},
	currency: {
		en: ['Price shown in the wrong currency', 'Can I pay in my local currency?', 'Exchange rate at checkout', 'Currency conversion fee?'],
		pt: ['Preço em dólar, posso pagar em reais?', 'Cobrança em moeda estrangeira', 'Taxa de câmbio no pagamento', 'IOF na compra?'],
		es: ['¿Puedo pagar en moneda local?', 'Tipo de cambio en el pago', 'Precio en otra moneda']
	},
	order_status: {
		en: ['Where is my order {o}?', 'Order status', 'Has my order shipped yet?', 'Order {o} still processing', 'When will my {p} arrive?'],
		pt: ['Cadê meu pedido {o}?', 'Status do pedido', 'Meu pedido já foi enviado?', 'Quando chega meu {p}?'],
		es: ['¿Dónde está mi pedido {o}?', 'Estado del pedido', '¿Cuándo llega mi {p}?']
	},
	shipping_delay: {
		en: ['Order {o} is late', 'Delivery delayed again', 'My {p} was supposed to arrive {n} days ago', 'Late delivery, need it urgently', 'Shipping delay on order {o}'],
		pt: ['Pedido {o} atrasado', 'Entrega atrasada de novo', 'Meu {p} deveria ter chegado há {n} dias', 'Atraso na entrega'],
		es: ['Pedido {o} retrasado', 'Entrega retrasada otra vez', 'Mi pedido debía llegar hace {n} días']
	},
	tracking_irregular: {
		en: ['Tracking shows delivered but nothing arrived', 'Tracking number invalid', 'Tracking stuck for {n} days', 'Package returned to sender?', 'Strange tracking events on {o}'],
		pt: ['Rastreio parado há {n} dias', 'Código de rastreio inválido', 'Rastreamento diz entregue mas não recebi', 'Objeto devolvido ao remetente?'],
		es: ['Seguimiento detenido hace {n} días', 'Número de seguimiento inválido', 'Dice entregado pero no llegó']
	},
	address_change: {
		en: ['Change delivery address', 'Wrong address on order {o}', 'Update shipping address, please', 'I moved, can you redirect my order?'],
		pt: ['Alterar endereço de entrega', 'Endereço errado no pedido {o}', 'Preciso mudar o endereço'],
		es: ['Cambiar dirección de entrega', 'Dirección incorrecta en pedido {o}']
	},
	delivery_verification: {
		en: ['Package marked delivered, not received', 'Proof of delivery request', 'Delivered to the wrong door?', 'Signature on delivery is not mine'],
		pt: ['Consta entregue mas não recebi', 'Comprovante de entrega', 'Entregaram no endereço errado?'],
		es: ['Figura entregado pero no lo recibí', 'Prueba de entrega', 'Lo entregaron en otra dirección']
	},
	order_dispute: {
		en: ['Charged twice for order {o}', 'Dispute: order {o}', 'Unauthorised charge', 'Price changed after I ordered'],
		pt: ['Cobrança em dobro no pedido {o}', 'Contestação do pedido {o}', 'Cobrança indevida'],
		es: ['Cobro duplicado del pedido {o}', 'Disputa del pedido {o}', 'Cargo no autorizado']
	},
	return_request: {
		en: ['Return request for {p}', 'I want to return my {p}', 'Return label, please', 'Return: does not fit', 'Return order {o}'],
		pt: ['Quero devolver meu {p}', 'Solicitação de devolução', 'Devolução do pedido {o}', 'Troca: não serviu', 'Etiqueta de devolução'],
		es: ['Quiero devolver {p}', 'Solicitud de devolución', 'Devolución del pedido {o}']
	},
	refund_request: {
		en: ['Refund request, order {o}', 'Where is my refund?', 'Please refund my {p}', 'Refund not received yet', 'Money back, please'],
		pt: ['Reembolso do pedido {o}', 'Cadê meu reembolso?', 'Quero meu dinheiro de volta', 'Estorno não caiu'],
		es: ['Reembolso del pedido {o}', '¿Dónde está mi reembolso?', 'Quiero mi dinero de vuelta']
	},
	defect: {
		en: ['{p} stopped working', 'Defective {p}', '{p} broke after {n} days', 'Faulty item, need replacement', 'Battery of the {p} does not charge'],
		pt: ['{p} parou de funcionar', '{p} com defeito', '{p} quebrou depois de {n} dias', 'Produto com defeito'],
		es: ['{p} dejó de funcionar', '{p} defectuoso', 'Producto con fallas']
	},
	transit_damage: {
		en: ['{p} arrived damaged', 'Box crushed, item broken', 'Damaged in transit', 'Received a broken {p}'],
		pt: ['{p} chegou quebrado', 'Caixa amassada, produto danificado', 'Produto avariado no transporte'],
		es: ['{p} llegó dañado', 'Caja aplastada, producto roto', 'Dañado en el envío']
	},
	wrong_item: {
		en: ['Wrong item received', 'I ordered a {p}, got something else', 'Wrong size sent', 'Not what I ordered (order {o})'],
		pt: ['Recebi o produto errado', 'Pedi {p} e veio outra coisa', 'Tamanho errado', 'Não é o que eu pedi'],
		es: ['Recibí un producto equivocado', 'Pedí {p} y llegó otra cosa', 'Talla equivocada']
	},
	policy_clarification: {
		en: ['Question about the refund policy', 'Warranty terms', 'Who pays return shipping?', 'Is a "final sale" item returnable?'],
		pt: ['Dúvida sobre a política de reembolso', 'Termos de garantia', 'Quem paga o frete da devolução?'],
		es: ['Duda sobre la política de reembolso', 'Condiciones de garantía', '¿Quién paga el envío de devolución?']
	},
	after_sale_dispute: {
		en: ['Refund amount is wrong', 'Disagree with the decision on my claim', 'Complaint about claim for order {o}', 'Partial refund, I want the full amount'],
		pt: ['Valor do reembolso errado', 'Não concordo com a decisão', 'Reclamação sobre o pedido {o}'],
		es: ['El monto del reembolso está mal', 'No estoy de acuerdo con la decisión', 'Reclamo por el pedido {o}']
	}
};
export const SUBJECT_PREFIX: Texts = {
	en: ['Re: ', 'Fwd: ', 'URGENT - ', 'Help: '],
	pt: ['Re: ', 'Enc: ', 'URGENTE - ', 'Ajuda: '],
	es: ['Re: ', 'Rv: ', 'URGENTE - ', 'Ayuda: ']
};

/**
 * A feedback theme: its share of the comments of its kind and its phrasings. The Friction page
 * (src/lib/friction/tokenise-sql.server.ts) keeps the words of a phrasing that are not stop words
 * and pairs neighbours, so a phrasing should name its friction in words that stay together
 * ("no reply", "repeated my story"): a word left alone between stop words in one theme and found
 * in another's phrasing too comes out as a bare theme (the demo's "reply" once did, from
 * "Each reply came from someone new" and "Waited forever for a reply"). Changing which of
 * {p} {o} {n} a template holds changes the random draws, and so every row after it.
 */
export interface ThemeDef {
	theme: string;
	weight: number;
	text: Texts;
}

const TRACKING_TEXT: Texts = {
	en: [
		'Tracking not updating for {n} days.',
		'The tracking not updating since last week, no idea where my package is.',
		'Why is the tracking not updating? It has said "in transit" for {n} days.',
		'Order {o}: tracking not updating at all.'
	],
	pt: [
		'O rastreio não atualiza há {n} dias.',
		'Meu rastreio não atualiza desde semana passada, não sei onde está o pacote.',
		'Por que o rastreio não atualiza? Está "em trânsito" faz {n} dias.',
		'Pedido {o}: rastreio não atualiza de jeito nenhum.'
	],
	es: [
		'El seguimiento no se actualiza hace {n} días.',
		'Mi seguimiento no se actualiza desde la semana pasada.',
		'¿Por qué el seguimiento no se actualiza? Sigue "en tránsito".'
	]
};

/** Named negative themes besides the rising one, with their shares of negative comments. */
const NAMED_NEGATIVE_THEMES: readonly ThemeDef[] = [
	{
		theme: 'slow_response',
		weight: 0.12,
		text: {
			en: ['It took {n} days to get an answer.', 'Still no reply, way too slow.', 'Nobody answered my emails for {n} days.'],
			pt: ['Demorou {n} dias para me responderem.', 'Atendimento muito lento, esperei demais.', 'Ninguém respondeu meus e-mails por {n} dias.'],
			es: ['Tardaron {n} días en responder.', 'Esperé muchísimo una respuesta, muy lento.']
		}
	},
	{
		theme: 'refund_delay',
		weight: 0.12,
		text: {
			en: ['Still waiting for my refund after {n} days.', 'Refund approved, but the money never arrived.', 'Where is my refund? It has been {n} days.'],
			pt: ['Ainda estou esperando o reembolso, já são {n} dias.', 'Reembolso aprovado, mas o dinheiro não caiu.', 'Cadê meu estorno? Já faz {n} dias.'],
			es: ['Sigo esperando mi reembolso después de {n} días.', 'Aprobaron el reembolso, pero el dinero no llegó.']
		}
	},
	{
		theme: 'return_label',
		weight: 0.08,
		text: {
			en: ['Could not print the return label, the link is broken.', 'Return label never arrived by email.', 'The return label expired before I could use it.'],
			pt: ['Não consegui imprimir a etiqueta de devolução, o link não abre.', 'A etiqueta de devolução nunca chegou no e-mail.'],
			es: ['No pude imprimir la etiqueta de devolución.', 'La etiqueta de devolución nunca llegó.']
		}
	},
	{
		theme: 'damaged_packaging',
		weight: 0.08,
		text: {
			en: ['The packaging was terrible, the box was crushed.', 'Item came in a torn envelope, no protection at all.'],
			pt: ['Embalagem péssima, a caixa veio amassada.', 'Veio num envelope rasgado, sem proteção nenhuma.'],
			es: ['El embalaje era malísimo, la caja llegó aplastada.']
		}
	},
	{
		theme: 'size_chart',
		weight: 0.06,
		text: {
			en: ['The size chart is wrong, everything runs small.', 'Ordered my usual size, way too big. Size guide is useless.'],
			pt: ['A tabela de medidas está errada, veio pequeno.', 'Pedi meu tamanho de sempre e veio enorme.'],
			es: ['La guía de tallas está mal, todo viene pequeño.']
		}
	},
	{
		theme: 'customs_fees',
		weight: 0.06,
		text: {
			en: ['Unexpected customs fees on delivery, nobody warned me.', 'I had to pay import taxes that were not shown at checkout.'],
			pt: ['Taxa de importação inesperada, ninguém avisou.', 'Tive que pagar imposto na entrega, não aparecia no site.'],
			es: ['Cobro inesperado de aduana al recibir el paquete.']
		}
	},
	{
		theme: 'rude_agent',
		weight: 0.06,
		text: {
			en: ['The agent was rude and closed my ticket.', 'Agent was dismissive, did not read my message.'],
			pt: ['O atendente foi grosseiro e fechou meu chamado.', 'Atendente nem leu minha mensagem.'],
			es: ['El agente fue grosero y cerró mi caso.']
		}
	},
	{
		theme: 'repeat_explanation',
		weight: 0.08,
		text: {
			en: ['I had to explain my problem again to every agent.', 'Transferred between departments, I repeated my story {n} times.'],
			pt: ['Tive que explicar tudo de novo para cada atendente.', 'Cada resposta era de uma pessoa diferente, repeti tudo {n} vezes.'],
			es: ['Tuve que explicar todo otra vez a cada agente.']
		}
	},
	{
		theme: 'checkout_error',
		weight: 0.05,
		text: {
			en: ['The app crashed at checkout and charged me anyway.', 'Payment failed at checkout {n} times.'],
			pt: ['O aplicativo travou no pagamento e cobrou mesmo assim.', 'O pagamento falhou {n} vezes no checkout.'],
			es: ['La app se colgó al pagar y me cobró igual.']
		}
	}
];

/**
 * Negative themes; the first is the rising one, the last (generic) takes the share the others
 * leave and absorbs the rising theme's rise.
 */
export const NEGATIVE_THEMES: readonly ThemeDef[] = [
	{ theme: RISING_THEME.theme, weight: RISING_THEME.baseShare, text: TRACKING_TEXT },
	...NAMED_NEGATIVE_THEMES,
	{
		theme: 'generic_negative',
		weight: 1 - RISING_THEME.baseShare - NAMED_NEGATIVE_THEMES.reduce((sum, t) => sum + t.weight, 0),
		text: {
			en: ['Not happy with the service.', 'Very disappointing experience.', 'Bad service, will not buy again.', 'Problem still not solved.'],
			pt: ['Péssimo atendimento.', 'Experiência muito decepcionante.', 'Não resolveram meu problema.', 'Não compro mais aqui.'],
			es: ['Muy mal servicio.', 'Experiencia muy decepcionante.', 'No resolvieron mi problema.']
		}
	}
];

export const POSITIVE_THEMES: readonly ThemeDef[] = [
	{
		theme: 'fast_resolution',
		weight: 0.3,
		text: {
			en: ['Quick and easy, solved in minutes.', 'Fast answer, problem solved.', 'Resolved the same day, great.'],
			pt: ['Resolveram rápido, muito bom.', 'Atendimento rápido e eficiente.', 'Resolvido no mesmo dia, ótimo.'],
			es: ['Rápido y fácil, resuelto en minutos.', 'Respuesta rápida, problema resuelto.']
		}
	},
	{
		theme: 'helpful_agent',
		weight: 0.3,
		text: {
			en: ['The agent was very helpful and kind.', 'Friendly agent, explained everything clearly.'],
			pt: ['A atendente foi muito atenciosa.', 'Atendente educado, explicou tudo direitinho.'],
			es: ['El agente fue muy amable y útil.']
		}
	},
	{
		theme: 'easy_return',
		weight: 0.15,
		text: {
			en: ['Return was easy, refund came fast.', 'Simple return process, thanks.'],
			pt: ['Devolução fácil, o reembolso caiu rápido.', 'Processo de troca simples, obrigado.'],
			es: ['La devolución fue fácil.']
		}
	},
	{
		theme: 'generic_positive',
		weight: 0.25,
		text: {
			en: ['Great service, thanks!', 'All good.', 'Very satisfied.'],
			pt: ['Ótimo atendimento, obrigado!', 'Tudo certo.', 'Muito satisfeito.'],
			es: ['¡Excelente servicio, gracias!', 'Todo bien.']
		}
	}
];

export const SUGGESTION_THEMES: readonly ThemeDef[] = [
	{
		theme: 'chat_hours',
		weight: 0.25,
		text: {
			en: ['Please offer live chat 24/7, not only during office hours.', 'Chat support on weekends would help a lot.'],
			pt: ['Coloquem chat 24 horas, por favor.', 'Seria ótimo ter chat no fim de semana.'],
			es: ['Pongan chat 24 horas, por favor.']
		}
	},
	{
		theme: 'local_language',
		weight: 0.2,
		text: {
			en: ['It would be great to have support in more languages.'],
			pt: ['Poderiam ter atendimento em português por telefone.', 'Falta suporte em português no aplicativo.'],
			es: ['Sería bueno tener soporte en español por teléfono.']
		}
	},
	{
		theme: 'delivery_options',
		weight: 0.25,
		text: {
			en: ['Add pickup points, I am never home for deliveries.', 'Let me choose a delivery time window.'],
			pt: ['Adicionem retirada em loja ou armário.', 'Deixem escolher o horário da entrega.'],
			es: ['Agreguen puntos de retiro.']
		}
	},
	{
		theme: 'order_edit',
		weight: 0.3,
		text: {
			en: ['Let me change the address after ordering, without calling support.', 'An option to edit an order in the first hour would be nice.'],
			pt: ['Deixem mudar o endereço depois da compra pelo app.', 'Seria bom poder editar o pedido na primeira hora.'],
			es: ['Permitan cambiar la dirección después de comprar.']
		}
	}
];

export const OPENERS: Texts = {
	en: ['Hi, ', 'Hello, ', 'Honestly, ', 'Well, ', 'To be fair, '],
	pt: ['Oi, ', 'Olá, ', 'Sinceramente, ', 'Bom, ', 'Gente, '],
	es: ['Hola, ', 'Buenas, ', 'Sinceramente, ', 'Bueno, ']
};
export const NEG_CLOSERS: Texts = {
	en: ['Please fix this.', 'Not happy at all.', 'Very frustrating, to be honest.', 'Expected better.'],
	pt: ['Por favor, resolvam isso.', 'Muito chateado.', 'Que decepção, sinceramente.', 'Esperava mais.'],
	es: ['Por favor, arréglenlo.', 'Muy molesto.', 'Esperaba más.']
};
export const POS_CLOSERS: Texts = {
	en: ['Thanks!', 'Keep it up.', 'Will buy again.'],
	pt: ['Obrigado!', 'Parabéns pelo atendimento.', 'Vou comprar de novo.'],
	es: ['¡Gracias!', 'Volveré a comprar.']
};
export const QUOTES: Texts = {
	en: ['The agent said "wait 48 hours", twice.', 'I was told "this is the carrier\'s problem".', 'Your email said "refund processed" but nothing came.'],
	pt: ['O atendente disse "aguarde 48 horas", duas vezes.', 'Me falaram "o problema é da transportadora".', 'O e-mail dizia "reembolso processado" e nada.'],
	es: ['El agente dijo "espere 48 horas", dos veces.', 'Me dijeron "es problema del transportista".']
};
export const CONTACT_EMAIL: Texts = {
	en: ['You can reach me at {e}.', 'Email me at {e}, please.', 'Contact: {e}'],
	pt: ['Meu e-mail é {e}.', 'Podem me escrever em {e}.', 'Contato: {e}'],
	es: ['Mi correo es {e}.', 'Escríbanme a {e}.']
};
export const CONTACT_PHONE: Texts = {
	en: ['Call me on {t}.', 'My phone number is {t}.', 'Phone: {t}'],
	pt: ['Meu telefone é {t}.', 'Me liguem no {t}.', 'WhatsApp: {t}'],
	es: ['Mi teléfono es {t}.', 'Llámenme al {t}.']
};
export const FIRST_NAMES: Texts = {
	en: ['john', 'emma', 'liam', 'olivia', 'noah', 'ava', 'raj', 'yuki', 'chloe', 'aisha'],
	pt: ['joao', 'maria', 'ana', 'pedro', 'lucas', 'julia', 'rafael', 'beatriz'],
	es: ['carlos', 'sofia', 'diego', 'valentina', 'mateo', 'lucia']
};
export const LAST_NAMES: Texts = {
	en: ['smith', 'brown', 'patel', 'tanaka', 'wilson', 'khan', 'lee'],
	pt: ['silva', 'santos', 'oliveira', 'souza', 'costa', 'pereira'],
	es: ['garcia', 'lopez', 'martinez', 'rodriguez', 'fernandez']
};
export const MAIL_DOMAINS = ['example.com', 'mail.example.org', 'example.net'];
