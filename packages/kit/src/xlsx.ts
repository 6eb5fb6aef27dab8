import { Workbook } from 'exceljs';
import { type CsvValue, neutraliseCsvCell } from './csv-safety';

/** One sheet of a workbook: a header row and the rows under it. */
export interface XlsxTable {
  /** The sheet's name (at most 31 characters, none of []:*?/\). */
  name: string;
  header: string[];
  rows: CsvValue[][];
}

/**
 * An XLSX workbook with one sheet per table, for the downloads beside CSV. Text cells go through the
 * same neutralising as CSV: a cell a user typed as `=HYPERLINK(...)` stays text even when the sheet is
 * saved again as CSV. A separate entry point (@crm/kit/xlsx), so only what writes workbooks loads exceljs.
 */
export async function toXlsx(tables: XlsxTable[]): Promise<Buffer> {
  const book = new Workbook();
  for (const t of tables) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow(t.header).font = { bold: true };
    for (const row of t.rows)
      sheet.addRow(
        row.map((v) => (typeof v === 'string' ? neutraliseCsvCell(v) : v === undefined ? null : v)),
      );
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
