import { type BusinessCalendar, businessMinutesBetween, type SlaTarget } from './sla';
import { NO_SLA, type TicketSla, withDueTimes } from './sla-clock';

/** One re-targeting of a ticket's SLA after a priority change, kept for the timeline. */
export interface SlaChange {
  fromPriority: string;
  toPriority: string;
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  changedBy: string;
  changedAt: Date;
}

/**
 * The clock measured against the targets of a new priority. It keeps its start and the time paused, so
 * the business time already spent counts against the new targets; warnings and breaches that fired
 * stay fired (a raise after a breach does not forgive it, a lowering does not warn twice). A due time
 * that the new target puts in the past fires at the timer's next look.
 */
export function retargetClock(
  s: TicketSla,
  policy: { id: string; warnAtPercent: number; calendarId: string },
  target: SlaTarget | undefined,
  cal: BusinessCalendar,
): TicketSla {
  if (!target) return { ...NO_SLA, startedAt: s.startedAt, pausedMinutes: s.pausedMinutes };
  return withDueTimes(
    {
      ...s,
      policyId: policy.id,
      calendarId: policy.calendarId,
      warnAtPercent: policy.warnAtPercent,
      firstResponseMinutes: target.firstResponseMinutes,
      resolutionMinutes: target.resolutionMinutes,
    },
    cal,
  );
}

/**
 * Business minutes the clock ran from its start to `at`, in its calendar: time outside working hours
 * and time pending on the customer left out (what analytics compares with the targets).
 */
export function businessMinutesSpent(s: TicketSla, at: Date, cal: BusinessCalendar): number {
  const stillPaused = s.pausedSince ? Math.max(0, businessMinutesBetween(s.pausedSince, at, cal)) : 0;
  const spent = businessMinutesBetween(s.startedAt, at, cal) - s.pausedMinutes - stillPaused;
  return Math.max(0, Math.round(spent * 10) / 10);
}
