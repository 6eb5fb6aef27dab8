import { type CsvValue, toCsv } from '@crm/kit';
import { toXlsx } from '@crm/kit/xlsx';
import type { Reply } from '../api/operation';
import { HttpProblem } from '../http/problem';

/** One table of a figure, as a download writes it. */
export interface FigureTable {
  /** Its key in the JSON answer, the `table=` of a CSV download and the sheet name in XLSX. */
  name: string;
  header: string[];
  rows: CsvValue[][];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A figure's answer: JSON, or its tables as a download. A CSV holds one table (the first unless
 * `table` names another), an XLSX workbook every table, one sheet each; formula-like text is
 * neutralised in both.
 */
export async function figureReply(
  q: { format?: 'json' | 'csv' | 'xlsx'; table?: string },
  file: string,
  body: unknown,
  tables: FigureTable[],
): Promise<Reply> {
  if (q.format === 'xlsx')
    return {
      body: await toXlsx(tables),
      contentType: XLSX_TYPE,
      headers: { 'Content-Disposition': `attachment; filename="${file}.xlsx"` },
    };
  if (q.format !== 'csv') return { body };
  const table = q.table ? tables.find((t) => t.name === q.table) : tables[0];
  if (!table)
    throw new HttpProblem(400, `this figure has no table "${q.table}"`, {
      errors: [{ field: 'table', message: `must be one of ${tables.map((t) => t.name).join(', ')}` }],
    });
  const name = table === tables[0] ? file : `${file}-${table.name}`;
  return {
    body: toCsv(table.header, table.rows),
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.csv"`,
    },
  };
}

/** A table of plain rows: the header is the rows' keys in this order. */
export function tableOf<R extends object>(
  name: string,
  header: (keyof R & string)[],
  rows: R[],
): FigureTable {
  return { name, header, rows: rows.map((r) => header.map((h) => r[h] as CsvValue)) };
}
