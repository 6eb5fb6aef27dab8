import { lead } from '@crm/proto';
import { auth, json, jsonHeaders, sampleLead, startApp, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => (h = await startApp()));
afterEach(async () => h.close());

const PROBLEM = /^application\/problem\+json/;
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const createLead = (body: string | Buffer) =>
  fetch(`${h.url}/api/v1/leads`, { method: 'POST', headers: jsonHeaders('rep'), body });

describe('JSON bodies with text that is not text', () => {
  it('refuses invalid UTF-8 bytes with a 400 instead of storing U+FFFD', async () => {
    const res = await createLead(bytes('{"lastName":"Jos', [0xe9], '"}'));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(PROBLEM);
    expect((await json(res)).detail).toMatch(/not valid UTF-8/);
    expect(h.client.createLead).not.toHaveBeenCalled();
  });

  it('refuses a lone surrogate and a NUL, naming the field', async () => {
    const surrogate = await createLead('{"lastName":"\\ud800x"}');
    expect(surrogate.status).toBe(400);
    expect((await json(surrogate)).errors).toEqual([
      { field: 'lastName', message: expect.stringMatching(/surrogate/) },
    ]);
    const nul = await createLead('{"lastName":"Doe","customFields":{"note":"a\\u0000b"}}');
    expect(nul.status).toBe(400);
    expect((await json(nul)).errors).toEqual([
      { field: 'customFields.note', message: expect.stringMatching(/NUL/) },
    ]);
    expect(h.client.createLead).not.toHaveBeenCalled();
  });

  it('refuses a body nested deeper than any of ours with a 400 (validating it overflowed the stack: 500)', async () => {
    const depth = 200_000;
    const res = await createLead(
      `{"lastName":"Doe","customFields":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    );
    expect(res.status).toBe(400);
    expect((await json(res)).errors).toEqual([
      { field: expect.stringMatching(/^customFields\.x(\.0)+$/), message: 'nested deeper than 32 levels' },
    ]);
  });

  it('takes accents and characters outside the BMP (surrogate pairs) as they are', async () => {
    h.client.createLead.mockResolvedValue(sampleLead());
    const res = await createLead('{"lastName":"Jos\u00e9 \\ud83d\\ude00"}');
    expect(res.status).toBe(201);
    expect(h.client.createLead.mock.calls[0][0].lead.lastName).toBe('José 😀');
  });
});

describe('query strings with text that is not text', () => {
  const list = (query: string) => fetch(`${h.url}/api/v1/leads?${query}`, { headers: auth('rep') });

  it('refuses bytes that are not UTF-8, a broken escape and a NUL with a 400, and takes real text', async () => {
    h.client.listLeads.mockResolvedValue({ leads: [], page: { nextCursor: '' } });
    for (const bad of ['q=%FF', 'q=Jos%E9', 'q=%', 'q=a%00b']) {
      const res = await list(bad);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(PROBLEM);
    }
    expect(h.client.listLeads).not.toHaveBeenCalled();
    const ok = await list('q=Jos%C3%A9+M%C3%BCller');
    expect(ok.status).toBe(200);
    expect(h.client.listLeads).toHaveBeenCalledTimes(1);
  });
});

describe('CSV imports in another encoding', () => {
  const importCsv = (body: Buffer | string, contentType: string) =>
    fetch(`${h.url}/api/v1/leads/import`, {
      method: 'POST',
      headers: auth('manager', { 'content-type': contentType }),
      body,
    });
  const latin1 = Buffer.from('lastName,company\nJosé,Añejo SA\n', 'latin1');

  it('refuses a non-UTF-8 file without a charset with 415, naming the charset parameter', async () => {
    const res = await importCsv(latin1, 'text/csv');
    expect(res.status).toBe(415);
    expect((await json(res)).detail).toMatch(/charset parameter/);
    expect(h.client.importLeads).not.toHaveBeenCalled();
  });

  it.each(['ISO-8859-1', 'windows-1252'])(
    'decodes a file declared as %s, so José stays José',
    async (charset) => {
      h.client.importLeads.mockResolvedValue(
        lead.ImportLeadsResponse.fromPartial({ created: 1, results: [{ row: 1, outcome: 1, leadId: 'N1' }] }),
      );
      const res = await importCsv(latin1, `text/csv; charset=${charset}`);
      expect(res.status).toBe(200);
      const [req] = h.client.importLeads.mock.calls[0];
      expect(req.rows[0]).toMatchObject({ lastName: 'José', company: 'Añejo SA' });
    },
  );

  it('refuses a charset it cannot read with 415, and a NUL in a cell with 400', async () => {
    const unknown = await importCsv(latin1, 'text/csv; charset=x-made-up');
    expect(unknown.status).toBe(415);
    expect((await json(unknown)).detail).toMatch(/charset parameter/);
    const nul = await importCsv('lastName\nDo\u0000e\n', 'text/csv');
    expect(nul.status).toBe(400);
    expect(h.client.importLeads).not.toHaveBeenCalled();
  });
});
