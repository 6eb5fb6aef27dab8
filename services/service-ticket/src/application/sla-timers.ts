import { type Actor, VersionMismatchError } from '@crm/kit';
import { dueSlaEvents, markFired, slaIndex } from '../domain/sla-clock';
import { ticketEvents as events } from '../events/ticket-events';
import type { TicketPorts } from './ports';

/** Who fires warnings and breaches (recorded as updatedBy on the ticket). */
const SLA_TIMER: Actor = { userId: 'sla-timer', username: 'sla-timer', roles: [], teams: [] };
const BATCH = 200;

/**
 * Fires SLA warnings and breaches. Run by a kit DurableSchedule: the due times live with the tickets,
 * so a restart loses nothing (a run after downtime fires what came due meanwhile). Each event is
 * marked fired in the same compare-and-set write that adds it to the outbox, so it fires exactly once
 * even when two replicas or two runs look at the ticket at the same time.
 */
export class SlaTimers {
  constructor(private readonly p: Pick<TicketPorts, 'tickets' | 'written'>) {}

  /** Fires what is due by `now`; returns how many events fired. */
  async run(now: Date): Promise<number> {
    let fired = 0;
    for (const t of await this.p.tickets.dueForSlaCheck(now, BATCH)) {
      const due = dueSlaEvents(t, now);
      const sla = markFired(t.sla, due);
      const slaEvents = [...t.slaEvents, ...due];
      try {
        await this.p.tickets.save(t, { sla, slaEvents, ...slaIndex({ ...t, sla }) }, SLA_TIMER, (n) =>
          due.map((e) =>
            e.kind === 'warning'
              ? events.slaWarning(n, e.target, SLA_TIMER, `sla-${t._id}`)
              : events.slaBreached(n, e.target, SLA_TIMER, `sla-${t._id}`),
          ),
        );
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
