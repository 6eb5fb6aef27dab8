import { ConflictError, Roles, ValidationError } from '@crm/kit';
import {
  customerVisible,
  moveStatus,
  normaliseTicketFields,
  type TicketFields,
  worksQueue,
} from '../src/domain/ticket';

const fields = (over: Partial<TicketFields> = {}): TicketFields => ({
  accountId: 'acc-1',
  contactId: '',
  subject: '  Invoice   is wrong ',
  description: 'The March invoice lists 12 seats; we have 10.',
  channel: 'EMAIL',
  category: 'billing',
  priority: 'high',
  tags: ['Billing', 'billing', ' vip '],
  links: [],
  attachments: [{ name: 'invoice.pdf', sizeBytes: 12_000, contentType: 'application/pdf' }],
  ...over,
});
const at = new Date('2026-12-01T09:00:00Z');

describe('ticket fields', () => {
  it('are trimmed, lower-cased and de-duplicated', () => {
    const f = normaliseTicketFields(fields());
    expect(f).toMatchObject({ subject: 'Invoice is wrong', channel: 'email', tags: ['billing', 'vip'] });
  });

  it('name every problem at once', () => {
    let err: unknown;
    try {
      normaliseTicketFields(
        fields({ subject: ' ', channel: 'fax', priority: 'asap', links: [{ ticketId: 'T1', kind: 'twin' }] }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).violations.map((v) => v.field)).toEqual([
      'subject',
      'channel',
      'priority',
      'links[0].kind',
    ]);
  });

  it('refuse a link of a ticket to itself', () => {
    expect(() =>
      normaliseTicketFields(fields({ links: [{ ticketId: 'T1', kind: 'related' }] }), 'T1'),
    ).toThrow(ValidationError);
  });
});

describe('the status workflow', () => {
  it('refuses to close a ticket that is not resolved', () => {
    for (const from of ['new', 'open', 'pending'] as const)
      expect(() => moveStatus(from, 'closed', '', '', 'agent', at)).toThrow(ConflictError);
    expect(moveStatus('resolved', 'closed', '', '', 'agent', at).toStatus).toBe('closed');
  });

  it('needs a reason to wait, and only customer or internal', () => {
    expect(moveStatus('open', 'pending', 'customer', '', 'agent', at).pendingReason).toBe('customer');
    expect(() => moveStatus('open', 'pending', '', '', 'agent', at)).toThrow(ValidationError);
    expect(() => moveStatus('open', 'pending', 'weather', '', 'agent', at)).toThrow(ValidationError);
  });

  it('opens a closed ticket again only by reopening to open', () => {
    expect(moveStatus('closed', 'open', '', 'still broken', 'agent', at).note).toBe('still broken');
    expect(() => moveStatus('closed', 'resolved', '', '', 'agent', at)).toThrow(ConflictError);
    expect(() => moveStatus('open', 'new', '', '', 'agent', at)).toThrow(ConflictError);
  });
});

describe('queues and customer output', () => {
  const agent = { userId: 'a', username: 'a', roles: [Roles.agent], teams: ['support'] };
  it('lets an agent work the queues of their groups only; a manager every queue', () => {
    expect(worksQueue(agent, 'support')).toBe(true);
    expect(worksQueue(agent, 'tier-2')).toBe(false);
    expect(worksQueue({ ...agent, roles: [Roles.supportManager], teams: [] }, 'tier-2')).toBe(true);
    expect(worksQueue({ ...agent, roles: [Roles.rep] }, 'support')).toBe(false);
  });

  it('never shows internal notes to the customer', () => {
    const c = (visibility: 'public' | 'internal', body: string) => ({
      id: body,
      visibility,
      body,
      authorId: 'a',
      createdAt: at,
    });
    expect(
      customerVisible([c('public', 'hello'), c('internal', 'customer is grumpy')]).map((x) => x.body),
    ).toEqual(['hello']);
  });
});
