import { byNearestDue, nextDue, timelineOf, type Ticket } from '../src/support/tickets';

function ticket(over: Partial<Ticket>): Ticket {
  return {
    id: 't',
    status: 'open',
    comments: [],
    statusHistory: [],
    escalations: [],
    ...over,
  } as Ticket;
}
const sla = (firstResponseDueAt: string, resolutionDueAt: string, firstRespondedAt: string | null = null) =>
  ({ firstResponseDueAt, resolutionDueAt, firstRespondedAt }) as Ticket['sla'];

describe('which SLA target a ticket races', () => {
  it('is the first response until there is one, then the resolution, and none once resolved', () => {
    const s = sla('2026-12-01T10:00:00Z', '2026-12-02T10:00:00Z');
    expect(nextDue(ticket({ sla: s }))).toBe('2026-12-01T10:00:00Z');
    const answered = sla('2026-12-01T10:00:00Z', '2026-12-02T10:00:00Z', '2026-12-01T09:00:00Z');
    expect(nextDue(ticket({ sla: answered }))).toBe('2026-12-02T10:00:00Z');
    expect(nextDue(ticket({ sla: answered, status: 'resolved' }))).toBeNull();
  });

  it('orders the queue by the nearest due, tickets without a running target last', () => {
    const later = ticket({ id: 'later', sla: sla('2026-12-01T12:00:00Z', '2026-12-03T00:00:00Z') });
    const sooner = ticket({ id: 'sooner', sla: sla('2026-12-01T09:00:00Z', '2026-12-03T00:00:00Z') });
    const done = ticket({
      id: 'done',
      status: 'resolved',
      sla: sla('2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z'),
    });
    expect([done, later, sooner].sort(byNearestDue).map((t) => t.id)).toEqual(['sooner', 'later', 'done']);
  });
});

describe('the ticket timeline', () => {
  it('interleaves replies, notes, status changes and escalations by time', () => {
    const t = ticket({
      comments: [
        {
          id: 'c1',
          visibility: 'public',
          body: 'We are on it',
          authorId: 'agent',
          createdAt: '2026-12-01T09:05:00Z',
        },
        {
          id: 'c2',
          visibility: 'internal',
          body: 'Looks like the cache',
          authorId: 'agent',
          createdAt: '2026-12-01T09:20:00Z',
        },
      ],
      statusHistory: [
        {
          fromStatus: 'new',
          toStatus: 'open',
          pendingReason: '',
          note: '',
          changedBy: 'agent',
          changedAt: '2026-12-01T09:05:00Z',
        },
      ],
      escalations: [
        {
          level: 2,
          toQueue: 'senior',
          reason: 'Needs a specialist',
          escalatedBy: 'agent',
          escalatedAt: '2026-12-01T09:10:00Z',
        },
      ],
    } as Partial<Ticket>);
    expect(timelineOf(t).map((e) => e.kind)).toEqual(['reply', 'status', 'escalation', 'note']);
  });
});
