import { inflateSync } from 'node:zlib';
import { DEFAULT_QUOTE_FONT, formatMinor, quotePdfRenderer } from '../src/documents/quote-pdf';
import type { QuoteDoc } from '../src/store/quote.model';

const quote: QuoteDoc = {
  _id: 'q1',
  version: 1,
  opportunityId: 'o1',
  firstVersionId: 'q1',
  quoteNumber: 'Q-ABCDEF12',
  revision: 2,
  status: 'draft',
  currency: 'CNY',
  lines: [
    {
      productId: 'p1',
      productCode: 'CRM-SEAT',
      productName: '客户管理系统 席位',
      unit: 'seat/year',
      quantity: '10',
      unitPriceMinor: 99_900,
      discountPercent: '0',
      grossMinor: 999_000,
      discountMinor: 0,
      netMinor: 999_000,
    },
  ],
  taxRatePercent: '13',
  validUntil: '2027-01-31',
  note: '',
  subtotalMinor: 999_000,
  discountMinor: 0,
  taxMinor: 129_870,
  totalMinor: 1_128_870,
  maxDiscountPercent: '0',
  supersededBy: '',
  sentAt: null,
  sentBy: '',
  approvalRequestId: '',
  approvalOutcome: '',
  approvalDecidedBy: '',
  approvalDecidedAt: null,
  createdAt: new Date('2026-12-01T00:00:00Z'),
  createdBy: 'rep1',
  updatedAt: new Date('2026-12-01T00:00:00Z'),
  updatedBy: 'rep1',
  outbox: [],
};

/** The text of every stream of the PDF, inflated where pdfkit compressed it. */
function streamsOf(pdf: Buffer): string {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  const re = /stream\r?\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    const bytes = pdf.subarray(start, end);
    try {
      out.push(inflateSync(bytes).toString('latin1'));
    } catch {
      out.push(bytes.toString('latin1'));
    }
  }
  return out.join('\n');
}

/** The code points the ToUnicode maps of the PDF give glyphs for (hex, lower case): pdfkit writes bfrange arrays. */
function mappedCodePoints(streams: string): Set<string> {
  const maps = streams.split('\n').filter((line) => line.startsWith('<') && line.includes('['));
  return new Set(
    maps.flatMap((line) => [...line.matchAll(/<([0-9a-f]{4,8})>/gi)].map((m) => m[1]!.toLowerCase())),
  );
}

describe('the quote PDF', () => {
  it('embeds a Noto Sans CJK subset with the glyphs of the Chinese product name', async () => {
    const pdf = await quotePdfRenderer(DEFAULT_QUOTE_FONT).render(quote, 'ACME 上海 rollout');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
    const mapped = mappedCodePoints(streamsOf(pdf));
    const hex = (s: string) => [...s].map((c) => c.codePointAt(0)!.toString(16).padStart(4, '0'));
    for (const cp of hex('客户管理系统席位上海报价单')) expect(mapped).toContain(cp);
    // Only the glyphs used are embedded: a character the quote does not use is not there.
    expect(mapped).not.toContain(hex('龍')[0]);
  });

  it('refuses to start without the font, naming the package', () => {
    expect(() => quotePdfRenderer('/nowhere/font.ttc')).toThrow(/fonts-noto-cjk/);
  });

  it('formats minor units for the currency without floats', () => {
    expect(formatMinor(1_128_870, 'CNY')).toBe('11,288.70');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(1_500, 'JPY')).toBe('1,500');
    expect(formatMinor(9_007_199_254_740_991, 'USD')).toBe('90,071,992,547,409.91');
  });
});
