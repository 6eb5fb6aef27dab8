import { ConflictError, NotFoundError, UnavailableError, VersionMismatchError } from '@crm/kit';
import type { AccountPort } from '../src/application/ports';
import { as, leadInput, leadUseCases, users } from './support/lead-use-cases';

/** The account service as the conversion sees it; `down` makes every call fail like a lost connection. */
function fakeAccounts() {
  const state = {
    down: false,
    accounts: new Set<string>(),
    contacts: new Set<string>(),
    named: new Set(['acc-known']),
    /** While set, contact creation waits for it: a conversion held mid-flight. */
    hold: undefined as Promise<void> | undefined,
  };
  const up = () => {
    if (state.down) throw new Error('connection refused');
  };
  const port: AccountPort = {
    async createOrLinkAccount(_ctx, _a, key) {
      up();
      const created = !state.accounts.has(key);
      state.accounts.add(key);
      return { accountId: `acc:${key}`, created };
    },
    async resolveAccount(_ctx, id) {
      up();
      if (!state.named.has(id)) throw new NotFoundError('account', id);
      return id;
    },
    async createContact(_ctx, _accountId, _c, key) {
      up();
      await state.hold;
      state.contacts.add(key);
      return { contactId: `con:${key}` };
    },
    async discardAccount(_ctx, _id, key) {
      up();
      state.accounts.delete(key);
    },
    async discardContact(_ctx, _id, key) {
      up();
      state.contacts.delete(key);
    },
  };
  return { port, state };
}

async function workingLead(u: ReturnType<typeof leadUseCases>) {
  const l = await u.leads.create(leadInput(), false, as(users.rep1));
  return u.leads.changeStatus(l._id, 1, 'working', '', as(users.rep1));
}

describe('LeadConversions', () => {
  it('creates the account and contact, marks the lead converted, and answers a retry with the same ids', async () => {
    const accounts = fakeAccounts();
    const u = leadUseCases({ accounts: accounts.port });
    const lead = await workingLead(u);
    const done = await u.conversions.convert(lead._id, 'k1', '', 2, as(users.rep1));
    expect(done).toMatchObject({ accountCreated: true, lead: { status: 'converted' } });
    expect(u.repository.eventsOf(lead._id).slice(-2)).toEqual([
      'crm.lead.v1.LeadStatusChanged',
      'crm.lead.v1.LeadConverted',
    ]);
    const again = await u.conversions.convert(lead._id, 'k1', '', 0, as(users.rep1));
    expect(again).toMatchObject({ accountId: done.accountId, contactId: done.contactId });
    await expect(u.conversions.convert(lead._id, 'k2', '', 0, as(users.rep1))).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(u.conversionRepository.open.size).toBe(0);
  });

  it('refuses a new lead, a stale version, and a lead the caller cannot see', async () => {
    const u = leadUseCases({ accounts: fakeAccounts().port });
    const fresh = await u.leads.create(leadInput(), false, as(users.rep1));
    await expect(u.conversions.convert(fresh._id, 'k', '', 0, as(users.rep1))).rejects.toBeInstanceOf(
      ConflictError,
    );
    const lead = await u.leads.changeStatus(fresh._id, 1, 'working', '', as(users.rep1));
    await expect(u.conversions.convert(lead._id, 'k', '', 1, as(users.rep1))).rejects.toBeInstanceOf(
      VersionMismatchError,
    );
    await expect(u.conversions.convert(lead._id, 'k', '', 0, as(users.rep2))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('undoes what it created when a named account does not exist, and leaves the lead as it was', async () => {
    const accounts = fakeAccounts();
    const u = leadUseCases({ accounts: accounts.port });
    const lead = await workingLead(u);
    await expect(u.conversions.convert(lead._id, 'k', 'acc-gone', 0, as(users.rep1))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(accounts.state.accounts.size + accounts.state.contacts.size).toBe(0);
    await expect(u.leads.get(lead._id, as(users.rep1))).resolves.toMatchObject({ status: 'working' });
    // Undone for good: the lead is editable again.
    await expect(u.leads.update(lead._id, 0, { title: 'x' }, as(users.rep1))).resolves.toMatchObject({
      title: 'x',
    });
  });

  it('a retry while another runner holds the conversion is a 503 to retry, then gets the same result', async () => {
    const accounts = fakeAccounts();
    const u = leadUseCases({ accounts: accounts.port });
    const lead = await workingLead(u);
    let release!: () => void;
    accounts.state.hold = new Promise((r) => (release = r));
    const first = u.conversions.convert(lead._id, 'k', '', 0, as(users.rep1));
    while (accounts.state.accounts.size === 0) await new Promise((r) => setImmediate(r));
    // Not a conflict: the same key is the same conversion, still running; the client retries it.
    await expect(u.conversions.convert(lead._id, 'k', '', 0, as(users.rep1))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    release();
    const done = await first;
    await expect(u.conversions.convert(lead._id, 'k', '', 0, as(users.rep1))).resolves.toMatchObject({
      accountId: done.accountId,
      contactId: done.contactId,
    });
  });

  it('waits while the account service is away (503, lead read-only) and the recovery job finishes it', async () => {
    const accounts = fakeAccounts();
    const u = leadUseCases({ accounts: accounts.port });
    const lead = await workingLead(u);
    accounts.state.down = true;
    await expect(u.conversions.convert(lead._id, 'k', '', 0, as(users.rep1))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(u.leads.update(lead._id, 0, { title: 'x' }, as(users.rep1))).rejects.toBeInstanceOf(
      ConflictError,
    );
    accounts.state.down = false;
    await expect(u.conversions.resumeStalled()).resolves.toBe(1);
    await expect(u.leads.get(lead._id, as(users.rep1))).resolves.toMatchObject({ status: 'converted' });
    expect(accounts.state.accounts.size).toBe(1);
    expect(u.conversionRepository.open.size).toBe(0);
  });

  it("calls the account service with the converting user's token, never stores it, and resumes without it", async () => {
    const accounts = fakeAccounts();
    const tokens: (string | undefined)[] = [];
    const createOrLink = accounts.port.createOrLinkAccount;
    accounts.port.createOrLinkAccount = (ctx, a, key) => {
      tokens.push(ctx.actor.token);
      return createOrLink(ctx, a, key);
    };
    const u = leadUseCases({ accounts: accounts.port });
    const rep1 = { ...users.rep1, token: 'rep1-access-token' };
    const lead = await workingLead(u);
    accounts.state.down = true;
    await expect(u.conversions.convert(lead._id, 'k', '', 0, as(rep1))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(JSON.stringify(u.repository.docs.get(lead._id)?.conversionSaga)).not.toContain(
      'rep1-access-token',
    );
    accounts.state.down = false;
    // The recovery job has no user's token: the account client then sends the service's own.
    await u.conversions.resumeStalled();
    expect(tokens).toEqual(['rep1-access-token', undefined]);
  });
});
