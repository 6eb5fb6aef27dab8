import { stringify } from 'csv-stringify/sync';

/**
 * CSV that is safe to open in a spreadsheet. Users type what they like into names and notes, and a
 * cell such as `=HYPERLINK(...)` or `@SUM(...)` would run as a formula on the desktop of whoever opens
 * the export (CSV injection). Every CSV the CRM writes goes through `toCsv`, so the rule lives here once.
 */

/** A leading character that makes a spreadsheet read the cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A signed number or phone number (`-12.5`, `+1 (415) 555-2671`): no letters, so no formula can run. */
const PLAIN_NUMBER = /^[+-]?\d[\d .()-]*$/;

/** The cell as text a spreadsheet shows as typed: a formula-like start is prefixed with `'`. */
export function neutraliseCsvCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

export type CsvValue = string | number | boolean | Date | null | undefined;

/** Writes rows under a header row (RFC 4180 quoting), every text cell neutralised; ends with a newline. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  return stringify([header, ...rows], {
    cast: {
      string: (value) => neutraliseCsvCell(value),
      date: (value) => value.toISOString(),
      boolean: (value) => (value ? 'true' : 'false'),
    },
  });
}
