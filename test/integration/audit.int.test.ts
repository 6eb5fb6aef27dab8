/**
 * The audit log end to end: a change made through the API reaches the owning service's audit log
 * through its outbox relay, and an administrator reads it back with who, what, when and before/after.
 */
import { api, RUN, uniqueEmail, userId } from './support';

interface Entry {
  eventType: string;
  recordId: string;
  recordVersion: number;
  actor: { userId: string; username: string };
  requestId: string | null;
  changes: { field: string; before: unknown; after: unknown }[];
}

/** The entries of one record once the relay has recorded `count` of them (it runs asynchronously). */
async function entriesOf(recordId: string, count: number): Promise<Entry[]> {
  const end = Date.now() + 20_000;
  for (;;) {
    const res = await api('GET', `/api/v1/audit?recordType=lead&recordId=${recordId}`, { as: 'admin' });
    expect(res.status).toBe(200);
    const items = res.body.items as Entry[];
    if (items.length >= count || Date.now() > end) return items;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('audit log', () => {
  it("shows a lead created and updated by rep1 as rep1's, with the changed field before and after", async () => {
    const email = uniqueEmail('audit');
    const created = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: { firstName: 'Grace', lastName: `Hopper-audit-${RUN}`, email, company: `Audit ${RUN}` },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const updated = await api('PATCH', `/api/v1/leads/${id}`, {
      as: 'rep1',
      json: { title: 'Rear Admiral' },
      headers: { 'if-match': '"1"', 'x-request-id': `audit-${RUN}` },
    });
    expect(updated.status).toBe(200);
    const again = await api('PATCH', `/api/v1/leads/${id}`, {
      as: 'rep1',
      json: { title: 'Commodore' },
      headers: { 'if-match': '"2"' },
    });
    expect(again.status).toBe(200);

    const entries = await entriesOf(id, 3);
    const creation = entries.find((e) => e.eventType === 'crm.lead.v1.LeadCreated');
    const update = entries.find((e) => e.eventType === 'crm.lead.v1.LeadUpdated' && e.recordVersion === 2);
    const second = entries.find((e) => e.eventType === 'crm.lead.v1.LeadUpdated' && e.recordVersion === 3);
    const rep1 = { userId: await userId('rep1'), username: 'rep1' };
    expect(creation).toMatchObject({ recordId: id, actor: rep1 });
    expect(creation?.changes).toContainEqual({ field: 'email', before: null, after: email });
    expect(update).toMatchObject({ recordId: id, actor: rep1, requestId: `audit-${RUN}` });
    expect(update?.changes).toEqual([{ field: 'title', before: null, after: 'Rear Admiral' }]);
    expect(second?.changes).toEqual([{ field: 'title', before: 'Rear Admiral', after: 'Commodore' }]);

    // The same entries by who made them, within the last minutes.
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const byRep1 = await api('GET', `/api/v1/audit?userId=${rep1.userId}&from=${since}&limit=200`, {
      as: 'admin',
    });
    expect(byRep1.body.items.map((e: Entry) => e.recordId)).toContain(id);
  });

  it('is refused to anyone but an administrator', async () => {
    expect((await api('GET', '/api/v1/audit', { as: 'rep1' })).status).toBe(403);
    expect((await api('GET', '/api/v1/audit', { as: 'manager' })).status).toBe(403);
    expect((await api('GET', '/api/v1/audit')).status).toBe(401);
  });
});
