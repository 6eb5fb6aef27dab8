import { ConflictError, ForbiddenError, Roles, ValidationError } from '@crm/kit';
import type { Caller } from '../src/application/ports';
import { SlaSettings } from '../src/application/sla-settings';
import { Tickets } from '../src/application/tickets';
import { inMemoryPorts } from './support/in-memory-repositories';

const caller = (userId: string, roles: string[], teams: string[] = []): Caller => ({
  actor: { userId, username: userId, roles, teams },
  requestId: `req-${userId}`,
});
const agent = caller('agent', [Roles.agent], ['support']);
const gateway = caller('gateway', ['gateway-service']);
const DAY = 86_400_000;

async function resolved() {
  const mem = inMemoryPorts();
  const settings = new SlaSettings(mem.ports);
  await settings.seed();
  const tickets = new Tickets(mem.ports, settings);
  const t = await tickets.create(
    { accountId: 'acc-1', subject: 'Login loops', channel: 'web', priority: 'high' },
    '',
    agent,
  );
  const { ticket, confirmationToken } = await tickets.resolve(t._id, 0, 'Reset the SSO mapping', agent);
  return { ...mem, tickets, ticket, token: confirmationToken };
}

describe('the customer confirmation link', () => {
  it('confirms once with CSAT 5: the ticket closes with the score; the link cannot be used again', async () => {
    const { tickets, ticket, token } = await resolved();
    const view = await tickets.confirmation(token, gateway);
    expect(view).toMatchObject({
      subject: 'Login loops',
      resolution: 'Reset the SSO mapping',
      answered: false,
    });
    const done = await tickets.answerConfirmation(token, 'confirm', 5, 'Quick, thanks', gateway);
    expect(done).toMatchObject({ status: 'closed', answered: true, csatScore: 5 });
    const stored = await tickets.get(ticket._id, agent);
    expect(stored).toMatchObject({
      status: 'closed',
      csatScore: 5,
      csatComment: 'Quick, thanks',
      updatedBy: 'customer',
    });
    await expect(tickets.answerConfirmation(token, 'reject', 1, 'again', gateway)).rejects.toThrow(
      ConflictError,
    );
  });

  it('refuses a tampered token and one answered by someone other than the gateway', async () => {
    const { tickets, token } = await resolved();
    const [head, body, sig = ''] = token.split('.');
    const forged = [head, body, `${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`].join('.');
    await expect(tickets.answerConfirmation(forged, 'confirm', 5, '', gateway)).rejects.toThrow(
      ValidationError,
    );
    await expect(tickets.confirmation('not-a-token', gateway)).rejects.toThrow(ValidationError);
    await expect(tickets.answerConfirmation(token, 'confirm', 5, '', agent)).rejects.toThrow(ForbiddenError);
  });

  it('a rejection reopens the ticket with the comment and needs one; CSAT is 1 to 5', async () => {
    const { tickets, ticket, token } = await resolved();
    await expect(tickets.answerConfirmation(token, 'reject', 2, ' ', gateway)).rejects.toThrow(/comment/);
    await expect(tickets.answerConfirmation(token, 'confirm', 6, '', gateway)).rejects.toThrow(/csatScore/);
    await tickets.answerConfirmation(token, 'reject', 2, 'Still loops on Safari', gateway);
    const t = await tickets.get(ticket._id, agent);
    expect(t.status).toBe('open');
    expect(t.statusHistory.at(-1)).toMatchObject({ toStatus: 'open', note: 'Still loops on Safari' });
  });

  it('closes by itself after the auto-close days; reopening works within the window only', async () => {
    const { tickets, ticket } = await resolved();
    expect(await tickets.autoClose(new Date(Date.now() + 6 * DAY))).toBe(0);
    expect(await tickets.autoClose(new Date(Date.now() + 7 * DAY + 1000))).toBe(1);
    const closed = await tickets.get(ticket._id, agent);
    expect(closed).toMatchObject({ status: 'closed', updatedBy: 'auto-close' });
    const reopened = await tickets.reopen(ticket._id, 0, 'Customer called back', agent);
    expect(reopened.status).toBe('open');
  });

  it('refuses to reopen a ticket closed longer ago than the window', async () => {
    const mem = await resolved();
    const { tickets, ticket } = mem;
    await tickets.close(ticket._id, 0, agent);
    const doc = (mem.ports.tickets as unknown as { docs: Map<string, { closedAt?: Date }> }).docs.get(
      ticket._id,
    )!;
    doc.closedAt = new Date(Date.now() - 31 * DAY);
    await expect(tickets.reopen(ticket._id, 0, 'too late', agent)).rejects.toThrow(ConflictError);
  });
});
