import { parse } from 'csv-parse/sync';
import { lead } from '@crm/proto';
import { CUSTOM_FIELD_COLUMN, customFieldEntries } from '../custom-fields/schemas';
import { HttpProblem, type FieldError } from '../http/problem';
import { leadInputToProto } from './mapping';
import { CSV_COLUMNS } from './schemas';

export const MAX_IMPORT_ROWS = 10_000;

export interface ParsedImport {
  /** Rows that passed the gateway's syntactic checks, with their 1-based CSV data row number. */
  rows: { row: number; input: lead.LeadInput }[];
  /** Rows rejected by the gateway (e.g. a non-numeric companySize). */
  rejected: { row: number; errors: FieldError[] }[];
  total: number;
}

/** Parses the CSV upload (header row required). Throws 400 on malformed CSV or columns, 413 above MAX_IMPORT_ROWS. */
export function parseImportCsv(text: string): ParsedImport {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: true,
      max_record_size: 64 * 1024,
      to_line: MAX_IMPORT_ROWS + 2,
    }) as string[][];
  } catch (err) {
    throw new HttpProblem(400, `The CSV is malformed: ${(err as Error).message.slice(0, 200)}`);
  }
  const [header, ...data] = records;
  if (!header) throw new HttpProblem(400, 'The CSV is empty; a header row is required.');
  const known = new Set<string>(CSV_COLUMNS);
  const unknown = header.filter((h) => !known.has(h) && !CUSTOM_FIELD_COLUMN.test(h));
  if (unknown.length) {
    throw new HttpProblem(400, 'The CSV header has unknown columns.', {
      errors: unknown.map((h) => ({
        field: h.slice(0, 64),
        message: `unknown column; allowed: ${CSV_COLUMNS.join(', ')} and cf.<custom field key>`,
      })),
    });
  }
  if (new Set(header).size !== header.length) throw new HttpProblem(400, 'The CSV header repeats a column.');
  if (!header.includes('lastName')) {
    throw new HttpProblem(400, 'The CSV header must include lastName.', {
      errors: [{ field: 'lastName', message: 'required column' }],
    });
  }
  if (data.length > MAX_IMPORT_ROWS) {
    throw new HttpProblem(413, `An import may hold at most ${MAX_IMPORT_ROWS} data rows.`);
  }
  const out: ParsedImport = { rows: [], rejected: [], total: data.length };
  data.forEach((cells, i) => {
    const row = i + 1;
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = cells[j] ?? ''));
    const errors: FieldError[] = [];
    let companySize: number | undefined;
    const cs = rec['companySize'];
    if (cs) {
      if (!/^\d{1,9}$/.test(cs))
        errors.push({ field: 'companySize', message: 'must be a non-negative whole number' });
      else companySize = Number(cs);
    }
    if (errors.length) {
      out.rejected.push({ row, errors });
      return;
    }
    // cf.<key> cells go as text; the lead service parses them by the field's type (empty = no value).
    const customFields = Object.fromEntries(
      Object.entries(customFieldEntries(rec)).filter(([, v]) => v !== ''),
    );
    out.rows.push({ row, input: leadInputToProto({ ...rec, companySize, customFields }) });
  });
  return out;
}
