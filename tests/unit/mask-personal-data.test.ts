import { describe, expect, test } from 'vitest';
import { maskIdentifier, maskPersonalData } from '../../src/lib/core/mask-personal-data';

describe('maskPersonalData', () => {
	test.each([
		['mail me at joao.silva+orders@exemplo.com.br now', 'mail me at [email] now'],
		['call +1 (415) 555-0134 or 0800 123 4567', 'call [phone] or [phone]'],
		['liguei para 11 98765-4321 duas vezes', 'liguei para [phone] duas vezes'],
		['customer #123456 and cust-0004242 and cliente 98765', '[customer id] and [customer id] and [customer id]'],
		// An order id is not a phone number, even a long one.
		['order ORD-000123456 arrived in 3 days, 2 items, 49.90 USD', 'order ORD-000123456 arrived in 3 days, 2 items, 49.90 USD'],
		// Order ids quoted by the customer: a letter prefix and a joiner, or #, or a bare run of digits.
		['Order ORD-48213377: tracking not updating', 'Order ORD-48213377: tracking not updating'],
		['pedido #123456789 e ORD-482133771, order 123456789', 'pedido #123456789 e ORD-482133771, order 123456789'],
		['ref # 0123456789 then call 02079460958', 'ref # 0123456789 then call [phone]'],
		// Full-width digits, plus and brackets, as typed on a CJK keyboard.
		['電話は＋４４ ２０ ７９４６ ０９５８です', '電話は[phone]です'],
		['call （０３）１２３４－５６７８ please', 'call [phone] please'],
		['tel:+442079460958, fax 020.7946.0959', 'tel:[phone], fax [phone]']
	])('%s', (input, expected) => {
		expect(maskPersonalData(input)).toBe(expected);
	});

	test('leaves dates, prices and short numbers alone', () => {
		const text = 'Delivered 2026-03-01, refund of 129.90 after 12 days (ticket 4512)';
		expect(maskPersonalData(text)).toBe(text);
	});

	test('null stays null; identifiers keep only their ends', () => {
		expect(maskPersonalData(null)).toBeNull();
		expect(maskIdentifier('cust-0004242')).toBe('cu•••42');
		expect(maskIdentifier('ab')).toBe('ab•••');
	});
});

describe('markdownText (the friction report leaves the team as Markdown)', () => {
	test('HTML, table pipes and emphasis in data are literal text', async () => {
		const { markdownText } = await import('../../src/lib/friction/report.server');
		expect(markdownText('<img src=x onerror=alert(1)> a|b *bold* [link](x) & more\nline')).toBe('&lt;img src=x onerror=alert(1)&gt; a\\|b \\*bold\\* \\[link\\](x) &amp; more line');
	});
});

describe('friction item titles', () => {
	test('viewers read them masked; roles that see personal data read them as typed', async () => {
		const { titleFor } = await import('../../src/lib/friction/items.server');
		const item = { item_id: 1, title: 'Customers asked to call +44 20 7946 0958 again' };
		expect(titleFor(item, 'viewer').title).toBe('Customers asked to call [phone] again');
		expect(titleFor(item, 'qa_manager').title).toBe(item.title);
	});
});
