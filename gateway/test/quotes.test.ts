import { quote as pb } from '@crm/proto';
import { json, jsonHeaders, startApp, type Harness } from './helpers';

const sampleQuote = (over: Partial<pb.Quote> = {}) =>
  pb.Quote.fromPartial({
    id: 'Q1',
    version: '1',
    opportunityId: 'O1',
    quoteNumber: 'Q-ABCDEF12',
    revision: 1,
    status: 'draft',
    currency: 'CNY',
    lines: [
      {
        productId: 'P1',
        productCode: 'CRM-SEAT',
        productName: '客户管理系统 席位',
        quantity: '2.5',
        unitPriceMinor: '99900',
        discountPercent: '12.5',
        grossMinor: '249750',
        discountMinor: '31219',
        netMinor: '218531',
      },
    ],
    taxRatePercent: '13',
    subtotalMinor: '218531',
    totalMinor: '246940',
    ...over,
  });

let h: Harness;
let product: { createProduct: jest.Mock };
let quote: { createQuote: jest.Mock };
beforeEach(async () => {
  product = { createProduct: jest.fn() };
  quote = { createQuote: jest.fn(async () => sampleQuote()) };
  h = await startApp({ product, quote });
});
afterEach(async () => {
  await h.close();
});

const postQuote = (body: unknown) =>
  fetch(`${h.url}/api/v1/opportunities/O1/quotes`, {
    method: 'POST',
    headers: jsonHeaders('rep'),
    body: JSON.stringify(body),
  });

describe('quotes through the gateway', () => {
  it('sends quantities and percentages as exact decimal strings and answers amounts as integers', async () => {
    const res = await postQuote({
      lines: [{ productId: 'P1', quantity: 2.5, discountPercent: 12.5 }],
      taxRatePercent: 13,
      validUntil: '2027-01-31',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/opportunities/O1/quotes/Q1');
    expect(quote.createQuote.mock.calls[0][0]).toEqual({
      opportunityId: 'O1',
      fields: {
        lines: [{ productId: 'P1', quantity: '2.5', unitPriceMinor: undefined, discountPercent: '12.5' }],
        taxRatePercent: '13',
        validUntil: '2027-01-31',
        note: '',
      },
    });
    expect(await json(res)).toMatchObject({
      totalMinor: 246940,
      lines: [{ quantity: 2.5, discountPercent: 12.5, netMinor: 218531, productName: '客户管理系统 席位' }],
    });
  });

  it('refuses a discount above 100% or a fractional price with a 400 before asking the service', async () => {
    const over = await postQuote({ lines: [{ productId: 'P1', quantity: 1, discountPercent: 101 }] });
    expect(over.status).toBe(400);
    const cents = await postQuote({ lines: [{ productId: 'P1', quantity: 1, unitPriceMinor: 9.99 }] });
    expect(cents.status).toBe(400);
    expect(quote.createQuote).not.toHaveBeenCalled();
  });

  it('lets only an admin write the catalogue', async () => {
    const res = await fetch(`${h.url}/api/v1/products`, {
      method: 'POST',
      headers: jsonHeaders('rep'),
      body: JSON.stringify({ code: 'CRM-SEAT', name: '席位', unit: 'seat' }),
    });
    expect(res.status).toBe(403);
    expect(product.createProduct).not.toHaveBeenCalled();
  });
});

describe('the quote PDF through the gateway', () => {
  it('is served as an application/pdf attachment named after the quote', async () => {
    await h.close();
    const renderQuotePdf = jest.fn(async (_req: unknown) => ({
      content: Buffer.from('%PDF-1.3 fake'),
      fileName: 'Q-ABCDEF12-r2.pdf',
    }));
    h = await startApp({ quote: { renderQuotePdf } });
    const res = await fetch(`${h.url}/api/v1/opportunities/O1/quotes/Q1/pdf`, {
      headers: jsonHeaders('rep'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Q-ABCDEF12-r2.pdf"');
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.3 fake');
    expect(renderQuotePdf.mock.calls[0]![0]).toEqual({ opportunityId: 'O1', quoteId: 'Q1' });
  });
});
