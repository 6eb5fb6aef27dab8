import { ConflictError } from '@crm/kit';
import type { AccountPort } from '../src/application/ports';
import type { OpportunityPort } from '../src/domain/convert-lead';
import { as, leadInput, leadUseCases, users } from './support/lead-use-cases';

/** Records discarded by compensations, in order. */
const discarded: string[] = [];
beforeEach(() => void (discarded.length = 0));

/** An account service that always answers: new account and contact per creation key. */
const accounts: AccountPort = {
  createOrLinkAccount: async (_c, _a, key) => ({ accountId: `acc:${key}`, created: true }),
  resolveAccount: async (_c, id) => id,
  createContact: async (_c, _a, _x, key) => ({ contactId: `con:${key}` }),
  discardAccount: async (_c, id) => void discarded.push(id),
  discardContact: async (_c, id) => void discarded.push(id),
};

/** The opportunity service as the conversion sees it; `refuse` makes creation fail for good. */
function fakeOpportunities() {
  const state = {
    refuse: false,
    deals: new Map<string, { accountId: string; contactId: string; ownerId: string; name: string }>(),
    discarded: [] as string[],
  };
  const port: OpportunityPort = {
    async createOpportunity(_ctx, deal, key) {
      if (state.refuse) throw new ConflictError('the pipeline has no open stage');
      state.deals.set(key, deal);
      return { opportunityId: `opp:${key}` };
    },
    async discardOpportunity(_ctx, id) {
      state.discarded.push(id);
    },
  };
  return { port, state };
}

async function workingLead(u: ReturnType<typeof leadUseCases>) {
  const l = await u.leads.create(leadInput(), false, as(users.rep1));
  return u.leads.changeStatus(l._id, 1, 'working', '', as(users.rep1));
}

const deal = { name: 'ACME rollout', amountMinor: 200_000_000, currency: 'CNY', closeDate: '2027-03-31' };

describe('lead conversion with an opportunity', () => {
  it('opens the deal with the new account and contact, owned like the account, and returns its id', async () => {
    const opportunities = fakeOpportunities();
    const u = leadUseCases({ accounts, opportunities: opportunities.port });
    const lead = await workingLead(u);
    const done = await u.conversions.convert(lead._id, 'k1', '', 0, as(users.rep1), deal);
    const key = `lead-conversion:${lead._id}:opportunity`;
    expect(done.opportunityId).toBe(`opp:${key}`);
    expect(done.lead.conversion?.opportunityId).toBe(`opp:${key}`);
    expect(opportunities.state.deals.get(key)).toMatchObject({
      name: 'ACME rollout',
      accountId: done.accountId,
      contactId: done.contactId,
      ownerId: lead.ownerId,
    });
  });

  it('opens no deal when none is asked for', async () => {
    const opportunities = fakeOpportunities();
    const u = leadUseCases({ accounts, opportunities: opportunities.port });
    const done = await u.conversions.convert((await workingLead(u))._id, 'k1', '', 0, as(users.rep1));
    expect(done.opportunityId).toBe('');
    expect(opportunities.state.deals.size).toBe(0);
  });

  it('a deal the opportunity service refuses for good undoes the conversion; the lead stays as it was', async () => {
    const opportunities = fakeOpportunities();
    opportunities.state.refuse = true;
    const u = leadUseCases({ accounts, opportunities: opportunities.port });
    const lead = await workingLead(u);
    await expect(u.conversions.convert(lead._id, 'k1', '', 0, as(users.rep1), deal)).rejects.toThrow(
      ConflictError,
    );
    expect(discarded).toEqual([
      `con:lead-conversion:${lead._id}:contact`,
      `acc:lead-conversion:${lead._id}:account`,
    ]);
    expect((await u.leads.get(lead._id, as(users.rep1))).status).toBe('working');
  });
});
