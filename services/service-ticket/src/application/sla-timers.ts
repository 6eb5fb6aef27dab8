import { type Actor, VersionMismatchError } from '@crm/kit';
import { dueSlaEvents, markFired, slaIndex } from '../domain/sla-clock';
import { ticketEvents as events } from '../events/ticket-events';
import type { TicketDoc } from '../store/ticket.model';
import type { TicketPorts } from './ports';
import type { Queues } from './queues';

const dueAt = (t: TicketDoc, target: string) =>
  target === 'first-response' ? t.sla.firstResponseDueAt : t.sla.resolutionDueAt;

/** Who fires warnings and breaches (recorded as updatedBy on the ticket). */
const SLA_TIMER: Actor = { userId: 'sla-timer', username: 'sla-timer', roles: [], teams: [] };
const BATCH = 200;

/**
 * Fires SLA warnings and breaches; a warning also escalates the ticket one level. Run by a kit DurableSchedule: the due times live with the tickets,
 * so a restart loses nothing (a run after downtime fires what came due meanwhile). Each event is
 * marked fired in the same compare-and-set write that adds it to the outbox, so it fires exactly once
 * even when two replicas or two runs look at the ticket at the same time.
 */
export class SlaTimers {
  constructor(
    private readonly p: Pick<TicketPorts, 'tickets' | 'written'>,
    /** Where a warned ticket escalates to (its queue's senior queue or manager); without them it stays. */
    private readonly queues?: Pick<Queues, 'escalationTarget'>,
  ) {}

  /** Fires what is due by `now`; returns how many events fired. */
  async run(now: Date): Promise<number> {
    let fired = 0;
    for (const t of await this.p.tickets.dueForSlaCheck(now, BATCH)) {
      const due = dueSlaEvents(t, now);
      const sla = markFired(t.sla, due);
      const slaEvents = [...t.slaEvents, ...due];
      const warned = due.some((e) => e.kind === 'warning');
      // A breach coming near raises the ticket a support level and hands it to the senior queue (or
      // the queue's support manager), recorded with the reason.
      const target = (warned && (await this.queues?.escalationTarget(t.queue))) || {
        queue: '',
        managerId: '',
      };
      const moves = !!target.queue && target.queue !== t.queue;
      const escalations = due
        .filter((e) => e.kind === 'warning')
        .map((e, i) => ({
          level: t.level + i + 1,
          toQueue: target.queue,
          reason: `SLA warning: ${e.target} due at ${dueAt(t, e.target)?.toISOString() ?? 'unknown'}`,
          escalatedBy: SLA_TIMER.userId,
          escalatedAt: now,
          fromQueue: t.queue,
          toManagerId: target.managerId,
        }));
      const set: Partial<TicketDoc> = { sla, slaEvents, ...slaIndex({ ...t, sla }) };
      if (escalations.length)
        Object.assign(set, {
          level: t.level + escalations.length,
          escalations: [...t.escalations, ...escalations],
          ...(moves ? { queue: target.queue, assigneeId: '' } : {}),
          ...(!moves && target.managerId ? { assigneeId: target.managerId } : {}),
        });
      const rid = `sla-${t._id}`;
      try {
        await this.p.tickets.save(t, set, SLA_TIMER, (n) => [
          ...due.map((e) =>
            e.kind === 'warning'
              ? events.slaWarning(n, e.target, SLA_TIMER, rid)
              : events.slaBreached(n, e.target, SLA_TIMER, rid),
          ),
          ...escalations.map((x) => events.escalated(n, x, SLA_TIMER, rid)),
        ]);
      } catch (err) {
        // Someone changed the ticket meanwhile; the next run reads it again.
        if (err instanceof VersionMismatchError) continue;
        throw err;
      }
      this.p.written(t._id);
      fired += due.length;
    }
    return fired;
  }
}
