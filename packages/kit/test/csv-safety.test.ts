import { parse } from 'csv-parse/sync';
import { neutraliseCsvCell, toCsv } from '../src/csv-safety';

describe('CSV cells a spreadsheet would run as formulas', () => {
  it.each(['=1+1', '+cmd|" /C calc"!A0', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1', '=HYPERLINK("x")'])(
    'prefixes %j with a quote',
    (cell) => {
      expect(neutraliseCsvCell(cell)).toBe(`'${cell}`);
    },
  );

  it('leaves ordinary text, signed numbers and phone numbers as they are', () => {
    for (const cell of ['José', 'a=b', 'ACME, Inc.', '', '-12.5', '+14155552671', '+1 (415) 555-2671'])
      expect(neutraliseCsvCell(cell)).toBe(cell);
  });

  it('writes every text cell of an export neutralised and quoted, so it reads back as the cells written', () => {
    const csv = toCsv(
      ['name', 'note', 'size', 'since'],
      [
        ['=HYPERLINK("http://evil")', 'line one\nline "two", three', 12, new Date('2026-01-02T03:04:05Z')],
        ['@Ada', null, -3, undefined],
      ],
    );
    expect(parse(csv)).toEqual([
      ['name', 'note', 'size', 'since'],
      [`'=HYPERLINK("http://evil")`, 'line one\nline "two", three', '12', '2026-01-02T03:04:05.000Z'],
      ["'@Ada", '', '-3', ''],
    ]);
  });
});
