import { Workbook } from 'exceljs';
import { toXlsx } from '../src/xlsx';

describe('toXlsx', () => {
  it('writes one sheet per table with numbers as numbers and formula-like text neutralised', async () => {
    const buffer = await toXlsx([
      {
        name: 'rows',
        header: ['name', 'amount'],
        rows: [
          ['=HYPERLINK("http://x")', 1250],
          ['-12.5', null],
        ],
      },
      { name: 'lossReasons', header: ['key', 'deals'], rows: [['price', 3]] },
    ]);
    const book = new Workbook();
    await book.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['rows', 'lossReasons']);
    const rows = book.getWorksheet('rows')!;
    expect(rows.getRow(1).values).toEqual([undefined, 'name', 'amount']);
    expect(rows.getCell('A2').value).toBe(`'=HYPERLINK("http://x")`);
    expect(rows.getCell('A2').formula).toBeUndefined();
    expect(rows.getCell('B2').value).toBe(1250);
    expect(rows.getCell('A3').value).toBe('-12.5');
    expect(book.getWorksheet('lossReasons')!.getCell('B2').value).toBe(3);
  });
});
