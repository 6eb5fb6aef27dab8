import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { QuotePdfRenderer } from '../application/quote-ports';
import type { QuoteDoc } from '../store/quote.model';

/**
 * Quotes as PDF with pdfkit. Product names are often Chinese, so the text font is Noto Sans CJK from
 * the Debian package fonts-noto-cjk (deploy/local/install-infra.sh and the Dockerfile install it);
 * pdfkit embeds only the glyphs a quote uses.
 */
export const DEFAULT_QUOTE_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
/** The face of the collection to use: Simplified Chinese first, Latin from the same font. */
const FONT_FACE = 'NotoSansCJKsc-Regular';

/** An amount of minor units as "1,234.50" for the currency's number of decimals, without floats. */
export function formatMinor(amountMinor: number, currency: string): string {
  const decimals = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
    .maximumFractionDigits!;
  const digits = String(amountMinor).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return decimals ? `${whole}.${digits.slice(-decimals)}` : whole;
}

export function quotePdfRenderer(fontPath: string): QuotePdfRenderer {
  if (!existsSync(fontPath))
    throw new Error(
      `quote PDF font ${fontPath} is missing: apt-get install fonts-noto-cjk, or set QUOTE_PDF_FONT`,
    );
  return {
    render: (quote, dealName) =>
      new Promise<Buffer>((resolve, reject) => {
        const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${quote.quoteNumber}` } });
        const chunks: Buffer[] = [];
        doc.on('data', (c: Buffer) => chunks.push(c));
        doc.on('end', () => resolve(Buffer.concat(chunks)));
        doc.on('error', reject);
        doc.registerFont('text', fontPath, FONT_FACE);
        doc.font('text');
        write(doc, quote, dealName);
        doc.end();
      }),
  };
}

const COLUMNS = [
  { title: '产品 Product', width: 185, align: 'left' },
  { title: '数量 Qty', width: 60, align: 'right' },
  { title: '单价 Unit price', width: 85, align: 'right' },
  { title: '折扣 Disc.', width: 50, align: 'right' },
  { title: '金额 Amount', width: 115, align: 'right' },
] as const;

function write(doc: PDFKit.PDFDocument, q: QuoteDoc, dealName: string): void {
  const money = (n: number) => formatMinor(n, q.currency);
  doc.fontSize(18).text('报价单 Quotation');
  doc.moveDown(0.5).fontSize(10);
  doc.text(`${q.quoteNumber}  (revision ${q.revision})`);
  doc.text(`Opportunity: ${dealName}`);
  doc.text(`Date: ${q.updatedAt.toISOString().slice(0, 10)}`);
  if (q.validUntil) doc.text(`Valid until: ${q.validUntil}`);
  doc.text(`Currency: ${q.currency}`);
  doc.moveDown();

  const row = (cells: string[]) => {
    const y = doc.y;
    let x = doc.page.margins.left;
    let bottom = y;
    cells.forEach((cell, i) => {
      const col = COLUMNS[i]!;
      doc.text(cell, x, y, { width: col.width - 6, align: col.align });
      bottom = Math.max(bottom, doc.y);
      x += col.width;
    });
    doc.x = doc.page.margins.left;
    doc.y = bottom + 4;
  };
  row(COLUMNS.map((c) => c.title));
  for (const l of q.lines)
    row([
      `${l.productName}\n${l.productCode}`,
      `${l.quantity} ${l.unit}`,
      money(l.unitPriceMinor),
      `${l.discountPercent}%`,
      money(l.netMinor),
    ]);
  doc.moveDown();
  const totals: [string, string][] = [
    ['小计 Subtotal', money(q.subtotalMinor)],
    ['折扣合计 Discounts included', money(q.discountMinor)],
    [`税 Tax ${q.taxRatePercent}%`, money(q.taxMinor)],
    ['合计 Total', `${q.currency} ${money(q.totalMinor)}`],
  ];
  for (const [label, amount] of totals) row(['', '', label, '', amount]);
  if (q.note) doc.moveDown().text(q.note, doc.page.margins.left);
}
