import { ConflictError, ForbiddenError, NotFoundError, Roles, ValidationError } from '@crm/kit';
import type { Caller } from '../src/application/ports';
import { SlaSettings } from '../src/application/sla-settings';
import { type TicketListRequest, type TicketPatch, Tickets } from '../src/application/tickets';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const agent = caller('agent', [Roles.agent], ['support']);
const senior = caller('senior', [Roles.agent], ['tier-2']);
const supportManager = caller('boss', [Roles.supportManager]);
const rep1 = caller('rep1', [Roles.rep], ['east']);
const rep2 = caller('rep2', [Roles.rep], ['west']);

const ticket = (over: TicketPatch = {}): TicketPatch => ({
  accountId: 'acc-1',
  subject: 'Cannot log in',
  description: 'Since this morning',
  channel: 'email',
  priority: 'high',
  ...over,
});
const listing = (over: Partial<TicketListRequest> = {}): TicketListRequest => ({
  status: '',
  queue: '',
  assigneeId: '',
  priority: '',
  accountId: '',
  slaState: '',
  sort: '',
  limit: 0,
  cursor: '',
  ...over,
});

async function setup() {
  const mem = inMemoryPorts();
  const settings = new SlaSettings(mem.ports);
  await settings.seed();
  return { ...mem, settings, tickets: new Tickets(mem.ports, settings), store: mem.tickets };
}

describe('creating a ticket', () => {
  it('starts new in the support queue, recorded with who created it', async () => {
    const { tickets, store } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    expect(t).toMatchObject({ status: 'new', queue: 'support', createdBy: 'agent', level: 1 });
    expect(store.subjects()).toEqual(['TicketCreated']);
  });

  it("keeps the account's name and tier, so an agent who may not read accounts sees them beside it", async () => {
    const { tickets } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    expect(t).toMatchObject({ accountName: 'Account acc-1', accountTier: 'A' });
    const moved = await tickets.update(t._id, t.version, { accountId: 'acc-2', contactId: '' }, agent);
    expect(moved.accountName).toBe('Account acc-2');
  });

  it('refuses an account the service does not know and a contact of another account', async () => {
    const { tickets } = await setup();
    await expect(tickets.create(ticket({ accountId: 'acc-9' }), '', agent)).rejects.toThrow(ValidationError);
    await expect(
      tickets.create(ticket({ accountId: 'acc-2', contactId: 'contact-1' }), '', agent),
    ).rejects.toThrow(/contactId/);
  });

  it('is for support staff, in a queue they work', async () => {
    const { tickets } = await setup();
    await expect(tickets.create(ticket(), '', rep1)).rejects.toThrow(ForbiddenError);
    await expect(tickets.create(ticket(), 'tier-2', agent)).rejects.toThrow(ForbiddenError);
  });
});

describe('working a ticket', () => {
  it('a public reply records the first response once and opens the ticket; a note does neither', async () => {
    const { tickets, store } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    const noted = await tickets.addComment(t._id, 'internal', 'Customer is on the old plan', agent);
    expect(noted.firstRespondedAt).toBeUndefined();
    expect(noted.status).toBe('new');
    const replied = await tickets.addComment(t._id, 'public', 'We are looking into it', agent);
    expect(replied.firstRespondedAt).toBeInstanceOf(Date);
    expect(replied.status).toBe('open');
    const again = await tickets.addComment(t._id, 'public', 'Fixed the SSO mapping', agent);
    expect(again.firstRespondedAt).toEqual(replied.firstRespondedAt);
    expect(store.subjects().filter((s) => s === 'TicketFirstResponded')).toHaveLength(1);
  });

  it('closing before resolving is a conflict; resolving needs a resolution', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    await expect(tickets.close(t._id, 0, agent)).rejects.toThrow(ConflictError);
    await expect(tickets.resolve(t._id, 0, '  ', agent)).rejects.toThrow(ValidationError);
    await tickets.resolve(t._id, 0, 'Reset the SSO mapping', agent);
    const closed = await tickets.close(t._id, 0, agent);
    expect(closed).toMatchObject({ status: 'closed', resolution: 'Reset the SSO mapping' });
    const reopened = await tickets.reopen(t._id, 0, 'It broke again', agent);
    expect(reopened.status).toBe('open');
    expect(reopened.statusHistory.map((s) => s.toStatus)).toEqual(['new', 'resolved', 'closed', 'open']);
  });

  it('waits on the customer with a reason', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    const p = await tickets.changeStatus(t._id, 0, 'pending', 'customer', agent);
    expect(p).toMatchObject({ status: 'pending', pendingReason: 'customer' });
    await expect(tickets.changeStatus(t._id, 0, 'closed', '', agent)).rejects.toThrow(ValidationError);
  });

  it('escalates to a senior queue with the reason; the first line no longer works it', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    await tickets.assign(t._id, 0, '', '', agent);
    const e = await tickets.escalate(t._id, 0, 'Needs a database fix', 'tier-2', agent);
    expect(e).toMatchObject({ level: 2, queue: 'tier-2', assigneeId: '' });
    expect(e.escalations[0]).toMatchObject({ reason: 'Needs a database fix', escalatedBy: 'agent' });
    await expect(tickets.addComment(t._id, 'public', 'hi', agent)).rejects.toThrow(NotFoundError);
    await expect(tickets.assign(t._id, 0, '', '', senior)).resolves.toMatchObject({ assigneeId: 'senior' });
  });
});

describe('who reads tickets', () => {
  it('agents list the tickets of their queues; a manager every queue', async () => {
    const { tickets } = await setup();
    await tickets.create(ticket(), '', agent);
    await tickets.create(ticket({ subject: 'Outage' }), 'tier-2', senior);
    expect((await tickets.list(listing(), agent)).tickets.map((t) => t.subject)).toEqual(['Cannot log in']);
    expect((await tickets.list(listing(), supportManager)).tickets).toHaveLength(2);
  });

  it('a seller reads the tickets of an account they can see, and no other', async () => {
    const { tickets } = await setup();
    const t = await tickets.create(ticket(), '', agent);
    await expect(tickets.get(t._id, rep1)).resolves.toMatchObject({ subject: 'Cannot log in' });
    await expect(tickets.get(t._id, rep2)).rejects.toThrow(NotFoundError);
    expect((await tickets.list(listing({ accountId: 'acc-1' }), rep1)).tickets).toHaveLength(1);
    await expect(tickets.list(listing(), rep1)).rejects.toThrow(/accountId/);
    await expect(tickets.list(listing({ accountId: 'acc-1' }), rep2)).rejects.toThrow(ValidationError);
    await expect(tickets.addComment(t._id, 'public', 'hi', rep1)).rejects.toThrow(ForbiddenError);
  });
});
