import { api, RUN, userId } from './support';

let n = 0;

/** A working lead of rep1 at a company of its own (conversion finds accounts by email domain). */
async function workingLead() {
  n++;
  const domain = `conv-deal-${RUN}-${n}.example.com`;
  const created = await api('POST', '/api/v1/leads', {
    as: 'rep1',
    json: {
      firstName: 'Ada',
      lastName: `Lovelace-${RUN}-${n}`,
      email: `ada@${domain}`,
      company: `Conv deal ${RUN} ${n}`,
      title: 'CIO',
    },
  });
  expect(created.status).toBe(201);
  const working = await api('POST', `/api/v1/leads/${created.body.id}/status`, {
    as: 'rep1',
    json: { status: 'working' },
  });
  expect(working.status).toBe(200);
  return created.body.id as string;
}

describe('lead conversion with an opportunity (saga across lead, account and opportunity services)', () => {
  it('a rep converts a lead with an opportunity and gets account, contact and deal; a retry returns the same deal', async () => {
    const leadId = await workingLead();
    const key = `conv-deal-${RUN}-${n}`;
    const json = {
      opportunity: { name: `Rollout ${RUN}`, amount: 200_000_000, currency: 'CNY', closeDate: '2027-03-31' },
    };
    const first = await api('POST', `/api/v1/leads/${leadId}/convert`, {
      as: 'rep1',
      json,
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(200);
    expect(first.body.opportunityId).toEqual(expect.any(String));

    const deal = await api('GET', `/api/v1/opportunities/${first.body.opportunityId}`, { as: 'rep1' });
    expect(deal.status).toBe(200);
    expect(deal.body).toMatchObject({
      name: `Rollout ${RUN}`,
      accountId: first.body.accountId,
      primaryContactId: first.body.contactId,
      amountMinor: 200_000_000,
      currency: 'CNY',
      expectedCloseDate: '2027-03-31',
      sourceLeadId: leadId,
      stageKey: 'qualification',
      ownerId: await userId('rep1'),
      status: 'open',
    });

    const again = await api('POST', `/api/v1/leads/${leadId}/convert`, {
      as: 'rep1',
      json,
      headers: { 'idempotency-key': key },
    });
    expect(again.status).toBe(200);
    expect(again.body.opportunityId).toBe(first.body.opportunityId);
    const deals = await api('GET', `/api/v1/opportunities?accountId=${first.body.accountId}`, { as: 'rep1' });
    expect(deals.body.items).toHaveLength(1);
  });

  it('a bad opportunity is a 400 naming the field, and the lead stays as it was', async () => {
    const leadId = await workingLead();
    const res = await api('POST', `/api/v1/leads/${leadId}/convert`, {
      as: 'rep1',
      json: { opportunity: { name: `Bad deal ${RUN}`, amount: 10.5, currency: 'EUR' } },
      headers: { 'idempotency-key': `conv-bad-${RUN}` },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: expect.stringContaining('amount') })]);
    const lead = await api('GET', `/api/v1/leads/${leadId}`, { as: 'rep1' });
    expect(lead.body.status).toBe('working');
  });
});
