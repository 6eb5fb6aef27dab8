import { inflateSync } from 'node:zlib';
import { api, GATEWAY_URL, RUN, token, userId } from './support';

const code = (tag: string) => `${tag}-${RUN}`.toUpperCase().slice(0, 40);

async function newProduct(tag: string, name: string, cny: number) {
  const res = await api('POST', '/api/v1/products', {
    as: 'admin',
    json: { code: code(tag), name, unit: 'seat/year', listPrices: [{ currency: 'CNY', amountMinor: cny }] },
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; code: string; version: number };
}

async function newDeal() {
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Quote customer ${RUN}`, website: `https://quote-${RUN}.example.com` },
  });
  expect(account.status).toBe(201);
  const deal = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: { name: `CRM rollout ${RUN}`, accountId: account.body.id, amountMinor: 0, currency: 'CNY' },
  });
  expect(deal.status).toBe(201);
  return deal.body.id as string;
}

let seatId = '';
let dayId = '';
let dealId = '';
beforeAll(async () => {
  seatId = (await newProduct('SEAT', '客户管理系统 席位', 999_00)).id;
  dayId = (await newProduct('DAY', '实施服务 人天', 3_000_00)).id;
  dealId = await newDeal();
});

describe('the product catalogue (real Keycloak, real opportunity service)', () => {
  it('is read by a rep, written only by an admin, and a code is taken once', async () => {
    const list = await api('GET', '/api/v1/products', { as: 'rep1' });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: code('SEAT'), name: '客户管理系统 席位' })]),
    );
    const byRep = await api('POST', '/api/v1/products', {
      as: 'rep1',
      json: { code: code('REP'), name: 'Mine', unit: 'piece' },
    });
    expect(byRep.status).toBe(403);
    const again = await api('POST', '/api/v1/products', {
      as: 'admin',
      json: { code: code('seat').toLowerCase(), name: 'Twin', unit: 'piece' },
    });
    expect(again.status).toBe(409);
  });
});

describe('quotes on an opportunity (real stack)', () => {
  it('are priced by the service: list prices, line discounts and the tax rounded half up, in minor units', async () => {
    const res = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: {
        lines: [
          { productId: seatId, quantity: 10, discountPercent: 7.25 },
          { productId: dayId, quantity: 2.5, unitPriceMinor: 333, discountPercent: 12.5 },
        ],
        taxRatePercent: 13,
        validUntil: '2027-01-31',
      },
    });
    expect(res.status).toBe(201);
    // 999.00 x 10 = 9990.00, less 7.25% (724.275 -> 724.28) = 9265.72; 3.33 x 2.5 = 8.325 -> 8.33, less
    // 12.5% (1.04125 -> 1.04) = 7.29; subtotal 9273.01; 13% tax 1205.4913 -> 1205.49; total 10478.50.
    expect(res.body).toMatchObject({
      status: 'draft',
      revision: 1,
      currency: 'CNY',
      subtotalMinor: 927_301,
      taxMinor: 120_549,
      totalMinor: 1_047_850,
      // 3.33 against a list price of 3000.00, then 12.5% off: 99.91% below list, what approval sees.
      maxDiscountPercent: 99.91,
      createdBy: await userId('rep1'),
    });
    expect(res.body.lines.map((l: { netMinor: number }) => l.netMinor)).toEqual([926_572, 729]);
  });

  it('names a bad line (400) and hides the quotes of a deal from a rep who cannot see it (404)', async () => {
    const bad = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: {
        lines: [
          { productId: seatId, quantity: 1.0001 },
          { productId: 'no-such-product', quantity: 1 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'lines[0].quantity',
      'lines[1].productId',
    ]);
    const other = await api('GET', `/api/v1/opportunities/${dealId}/quotes`, { as: 'rep2' });
    expect(other.status).toBe(404);
  });

  it('is edited as a draft, and a draft is not sent to the customer before it is submitted (409)', async () => {
    const created = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: { lines: [{ productId: seatId, quantity: 5 }] },
    });
    const url = `/api/v1/opportunities/${dealId}/quotes/${created.body.id}`;
    const edited = await api('PUT', url, {
      as: 'rep1',
      headers: { 'if-match': created.headers.get('etag')! },
      json: { lines: [{ productId: seatId, quantity: 6, discountPercent: 5 }] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ totalMinor: 5_694_30, maxDiscountPercent: 5, version: 2 });
    const sent = await api('POST', `${url}/send`, { as: 'rep1' });
    expect(sent.status).toBe(409);
    expect(sent.body.detail).toMatch(/submit/);
    const revised = await api('POST', `${url}/revise`, { as: 'rep1' });
    expect(revised.status).toBe(409);
    expect((await api('GET', url, { as: 'rep1' })).body).toMatchObject({ status: 'draft', version: 2 });
  });
});

describe('the quote PDF (real stack)', () => {
  it('opens as a PDF that embeds the Chinese product name with a CJK font', async () => {
    const created = await api('POST', `/api/v1/opportunities/${dealId}/quotes`, {
      as: 'rep1',
      json: { lines: [{ productId: seatId, quantity: 3 }], validUntil: '2027-02-28' },
    });
    const path = `/api/v1/opportunities/${dealId}/quotes/${created.body.id}/pdf`;
    const res = await fetch(`${GATEWAY_URL}${path}`, {
      headers: { authorization: `Bearer ${await token('rep1')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
    const mapped = mappedCodePoints(pdf);
    for (const c of '客户管理系统席位') expect(mapped).toContain(c.codePointAt(0)!.toString(16));
    const other = await api('GET', path, { as: 'rep2' });
    expect(other.status).toBe(404);
  });
});

/** The code points the PDF's ToUnicode maps give glyphs for (hex): its text as a reader extracts it. */
function mappedCodePoints(pdf: Buffer): Set<string> {
  const raw = pdf.toString('latin1');
  const found = new Set<string>();
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    const bytes = pdf.subarray(start, raw.indexOf('endstream', start));
    let text: string;
    try {
      text = inflateSync(bytes).toString('latin1');
    } catch {
      continue;
    }
    if (!text.includes('begincmap')) continue;
    for (const hex of text.matchAll(/<([0-9a-f]{4,8})>/gi))
      found.add(hex[1]!.toLowerCase().replace(/^0+/, ''));
  }
  return found;
}
