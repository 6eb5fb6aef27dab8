import { encodeCursor } from '@crm/kit';
import { audit as pb } from '@crm/proto';
import { auth, json, startApp, type Harness } from './helpers';

const entry = (id: string, minute: number, over: Partial<pb.AuditEntry> = {}) =>
  pb.AuditEntry.fromPartial({
    eventId: id,
    eventType: 'crm.lead.v1.LeadUpdated',
    recordType: 'lead',
    recordId: `r-${id}`,
    recordVersion: '2',
    occurredAt: new Date(Date.UTC(2026, 10, 30, 12, minute)),
    actorUserId: 'u-rep1',
    actorUsername: 'rep1',
    requestId: 'req-1',
    changes: [{ field: 'email', beforeJson: '"a@example.com"', afterJson: '"b@example.com"' }],
    ...over,
  });

/** A service's audit log: the entries it holds, newest first, paged from the cursor like kit's list. */
function fakeService(entries: pb.AuditEntry[]) {
  return {
    listAuditEntries: jest.fn(async (req: pb.ListAuditEntriesRequest) => {
      const sorted = [...entries].sort((a, b) => b.occurredAt!.getTime() - a.occurredAt!.getTime());
      let rest = sorted;
      if (req.page?.cursor) {
        const [at] = JSON.parse(Buffer.from(req.page.cursor, 'base64url').toString()) as [string];
        rest = sorted.filter((e) => e.occurredAt!.getTime() < new Date(at).getTime());
      }
      const limit = req.page?.limit ?? 50;
      const page = rest.slice(0, limit);
      return { entries: page, page: { nextCursor: rest.length > limit ? 'more' : '' } };
    }),
  };
}

describe('GET /api/v1/audit', () => {
  let h: Harness;
  const lead = fakeService([entry('a', 1), entry('c', 3), entry('e', 5)]);
  const account = fakeService([
    entry('b', 2, { recordType: 'account', changes: [], detailsJson: '{"survivorId":"x"}' }),
    entry('d', 4),
  ]);
  beforeAll(async () => {
    h = await startApp({ audit: { lead, account } });
  });
  afterAll(() => h.close());

  const list = (query: string, user = 'admin') =>
    fetch(`${h.url}/api/v1/audit${query}`, { headers: auth(user) });

  it('merges the services newest first and pages through all of them without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 5 && (i === 0 || cursor); i++) {
      const res = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = await json(res);
      seen.push(...body.items.map((e: { id: string }) => e.id));
      cursor = body.nextCursor ?? '';
    }
    expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(cursor).toBe('');
  });

  it('answers who, what, when and before/after in JSON, and passes the filters to every service', async () => {
    const res = await list('?userId=u-rep1&recordType=lead&from=2026-11-30T12:00:00Z&limit=5');
    const body = await json(res);
    expect(body.items[0]).toEqual({
      id: 'e',
      service: 'lead',
      eventType: 'crm.lead.v1.LeadUpdated',
      recordType: 'lead',
      recordId: 'r-e',
      recordVersion: 2,
      at: '2026-11-30T12:05:00.000Z',
      actor: { userId: 'u-rep1', username: 'rep1' },
      requestId: 'req-1',
      changes: [{ field: 'email', before: 'a@example.com', after: 'b@example.com' }],
      details: null,
    });
    expect(body.items.find((e: { id: string }) => e.id === 'b').details).toEqual({ survivorId: 'x' });
    expect(account.listAuditEntries).toHaveBeenLastCalledWith(
      expect.objectContaining({
        actorUserId: 'u-rep1',
        recordType: 'lead',
        from: new Date('2026-11-30T12:00:00Z'),
      }),
      expect.anything(),
    );
  });

  it('is for administrators only', async () => {
    expect((await list('', 'manager')).status).toBe(403);
    expect((await list('', 'integrator')).status).toBe(403);
  });

  it('refuses a made-up cursor or time with a 400 problem', async () => {
    const bad = encodeCursor('not-a-date', 'x');
    for (const q of [`?cursor=${bad}`, '?cursor=garbage', '?from=yesterday']) {
      const res = await list(q);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });
});
