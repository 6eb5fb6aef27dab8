import { api, RUN, userId } from './support';

// Runs last (test/integration/sequencer.js): it moves rep1's whole book to rep2, which the other
// tests, creating records as rep1, must not see happen under them.
describe("a departing rep's book", () => {
  it('a manager transfers everything rep1 owns to rep2; within seconds rep2 owns it, with counts', async () => {
    const [rep1, rep2] = [await userId('rep1'), await userId('rep2')];
    const lead = await api('POST', '/api/v1/leads', {
      as: 'rep1',
      json: {
        lastName: `Leaving-${RUN}`,
        email: `leaving-${RUN}@leaving.example.com`,
        company: `Leaving ${RUN}`,
      },
    });
    expect(lead.status).toBe(201);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Leaving Account ${RUN}`, website: `leaving-${RUN}.example.com` },
    });
    expect(account.status).toBe(201);
    const task = await api('POST', '/api/v1/activities', {
      as: 'rep1',
      json: {
        type: 'task',
        subject: 'Send the offer',
        dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        relatedTo: { type: 'account', id: account.body.id },
      },
    });
    expect(task.status).toBe(201);
    const before = await api('GET', '/api/v1/leads?ownerId=me&limit=200', { as: 'rep1' });
    expect(before.body.items.length).toBeGreaterThan(0);

    const t0 = Date.now();
    const started = await api('POST', '/api/v1/ownership-transfers', {
      as: 'manager',
      json: { fromUserId: rep1, toUserId: rep2 },
    });
    expect(started.status).toBe(202);
    let transfer = started.body;
    while (transfer.status !== 'completed' && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 250));
      transfer = (await api('GET', `/api/v1/ownership-transfers/${started.body.id}`, { as: 'manager' })).body;
    }
    expect(transfer.status).toBe('completed');
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(20);
    expect(transfer.counts.lead).toBeGreaterThanOrEqual(1);
    expect(transfer.counts.account).toBeGreaterThanOrEqual(1);
    expect(transfer.counts.task).toBeGreaterThanOrEqual(1);

    expect((await api('GET', `/api/v1/leads/${lead.body.id}`, { as: 'rep2' })).body.ownerId).toBe(rep2);
    expect((await api('GET', `/api/v1/accounts/${account.body.id}`, { as: 'rep2' })).body.ownerId).toBe(rep2);
    expect((await api('GET', `/api/v1/leads/${lead.body.id}`, { as: 'rep1' })).status).toBe(404);
    const left = await api('GET', '/api/v1/leads?ownerId=me&status=new,working', { as: 'rep1' });
    expect(left.body.items).toHaveLength(0);
  }, 60_000);
});
