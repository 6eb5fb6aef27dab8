import { waitFor } from '@crm/kit/testing';
import { api, RUN, userId } from './support';

// The departing rep is a user id of this test's own, so moving the whole book touches no record
// another test works with, whatever order the files run in.
describe("a departing rep's book", () => {
  it('a manager transfers everything the rep owns to rep2; within seconds rep2 owns it, with counts', async () => {
    const leaver = `departing-${RUN}`;
    const rep2 = await userId('rep2');
    const lead = await api('POST', '/api/v1/leads', {
      as: 'manager',
      json: {
        lastName: `Leaving-${RUN}`,
        email: `leaving-${RUN}@leaving.example.com`,
        company: `Leaving ${RUN}`,
      },
    });
    expect(lead.status).toBe(201);
    const assigned = await api('PATCH', `/api/v1/leads/${lead.body.id}`, {
      as: 'manager',
      json: { ownerId: leaver, teamId: 'sales-east' },
    });
    expect(assigned.status).toBe(200);
    const account = await api('POST', '/api/v1/accounts', {
      as: 'manager',
      json: {
        name: `Leaving Account ${RUN}`,
        website: `leaving-${RUN}.example.com`,
        ownerId: leaver,
        teamId: 'sales-east',
      },
    });
    expect(account.status).toBe(201);
    const task = await api('POST', '/api/v1/activities', {
      as: 'manager',
      json: {
        type: 'task',
        subject: 'Send the offer',
        dueAt: new Date(Date.now() + 86_400_000).toISOString(),
        assigneeId: leaver,
        relatedTo: { type: 'account', id: account.body.id },
      },
    });
    expect(task.status).toBe(201);
    expect(task.body.assigneeId).toBe(leaver);

    const t0 = Date.now();
    const started = await api('POST', '/api/v1/ownership-transfers', {
      as: 'manager',
      json: { fromUserId: leaver, toUserId: rep2 },
    });
    expect(started.status).toBe(202);
    let transfer = started.body;
    await waitFor(async () => {
      transfer = (await api('GET', `/api/v1/ownership-transfers/${started.body.id}`, { as: 'manager' })).body;
      return transfer.status === 'completed';
    }, 20_000);
    expect((Date.now() - t0) / 1000).toBeLessThan(20);
    expect(transfer.counts).toMatchObject({ lead: 1, account: 1, task: 1 });

    expect((await api('GET', `/api/v1/leads/${lead.body.id}`, { as: 'rep2' })).body.ownerId).toBe(rep2);
    expect((await api('GET', `/api/v1/accounts/${account.body.id}`, { as: 'rep2' })).body.ownerId).toBe(rep2);
    expect((await api('GET', `/api/v1/activities/${task.body.id}`, { as: 'rep2' })).body.assigneeId).toBe(
      rep2,
    );
    const left = await api('GET', `/api/v1/leads?ownerId=${leaver}&limit=200`, { as: 'manager' });
    expect(left.body.items).toHaveLength(0);
  }, 60_000);
});
