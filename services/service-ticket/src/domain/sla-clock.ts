import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween, type SlaTarget } from './sla';
import type { TicketStatus } from './ticket';

export type SlaTargetName = 'first-response' | 'resolution';
export type SlaState = 'none' | 'ok' | 'warning' | 'breached' | 'paused';

/** A ticket's clock against its SLA, as stored with the ticket. */
export interface TicketSla {
  /** '' when no target of the policy applies: no SLA, nothing fires. */
  policyId: string;
  calendarId: string;
  warnAtPercent: number;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  /** When the clock started (the ticket's creation). */
  startedAt: Date;
  /** Business minutes spent pending on the customer, added to every due time. */
  pausedMinutes: number;
  /** Set while pending on the customer. */
  pausedSince?: Date;
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  firstResponseWarnAt?: Date;
  resolutionWarnAt?: Date;
  firstResponseWarned: boolean;
  resolutionWarned: boolean;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
}

/** A warning or breach that fired, kept for the timeline. */
export interface SlaEvent {
  kind: 'warning' | 'breach';
  target: SlaTargetName;
  at: Date;
}

/** What the clock needs of its ticket. */
export interface Clocked {
  status: TicketStatus;
  firstRespondedAt?: Date;
  sla: TicketSla;
}

export const NO_SLA: Omit<TicketSla, 'startedAt'> = {
  policyId: '',
  calendarId: '',
  warnAtPercent: 0,
  firstResponseMinutes: 0,
  resolutionMinutes: 0,
  pausedMinutes: 0,
  firstResponseWarned: false,
  resolutionWarned: false,
  firstResponseBreached: false,
  resolutionBreached: false,
};

/** The clock of a new ticket, due times in business minutes of the calendar. */
export function startClock(
  at: Date,
  policy: { id: string; warnAtPercent: number; calendarId: string },
  target: SlaTarget | undefined,
  cal: BusinessCalendar,
): TicketSla {
  if (!target) return { ...NO_SLA, startedAt: at };
  return withDueTimes(
    {
      ...NO_SLA,
      policyId: policy.id,
      calendarId: policy.calendarId,
      warnAtPercent: policy.warnAtPercent,
      firstResponseMinutes: target.firstResponseMinutes,
      resolutionMinutes: target.resolutionMinutes,
      startedAt: at,
    },
    cal,
  );
}

/** The due and warning times of a clock from its start, targets and pauses. */
export function withDueTimes(s: TicketSla, cal: BusinessCalendar): TicketSla {
  const after = (minutes: number) => addBusinessMinutes(s.startedAt, minutes + s.pausedMinutes, cal);
  const share = s.warnAtPercent / 100;
  return {
    ...s,
    firstResponseDueAt: after(s.firstResponseMinutes),
    resolutionDueAt: after(s.resolutionMinutes),
    firstResponseWarnAt: after(s.firstResponseMinutes * share),
    resolutionWarnAt: after(s.resolutionMinutes * share),
  };
}

/** Pending on the customer stops the clock; anything else runs it, with the pause added to the due times. */
export function followStatus(
  s: TicketSla,
  status: TicketStatus,
  pendingReason: string,
  now: Date,
  cal?: BusinessCalendar,
): TicketSla {
  if (!s.policyId) return s;
  const waiting = status === 'pending' && pendingReason === 'customer';
  if (waiting && !s.pausedSince) return { ...s, pausedSince: now };
  if (!waiting && s.pausedSince && cal) {
    const paused = Math.max(0, businessMinutesBetween(s.pausedSince, now, cal));
    return withDueTimes({ ...s, pausedSince: undefined, pausedMinutes: s.pausedMinutes + paused }, cal);
  }
  return s;
}

const DONE: readonly TicketStatus[] = ['resolved', 'closed'];

/** The warnings and breaches due by `now` that have not fired yet; nothing while paused. */
export function dueSlaEvents(t: Clocked, now: Date): SlaEvent[] {
  const s = t.sla;
  if (!s.policyId || s.pausedSince || DONE.includes(t.status)) return [];
  const out: SlaEvent[] = [];
  const passed = (d?: Date) => !!d && d.getTime() <= now.getTime();
  if (!t.firstRespondedAt) {
    if (!s.firstResponseWarned && passed(s.firstResponseWarnAt))
      out.push({ kind: 'warning', target: 'first-response', at: now });
    if (!s.firstResponseBreached && passed(s.firstResponseDueAt))
      out.push({ kind: 'breach', target: 'first-response', at: now });
  }
  if (!s.resolutionWarned && passed(s.resolutionWarnAt))
    out.push({ kind: 'warning', target: 'resolution', at: now });
  if (!s.resolutionBreached && passed(s.resolutionDueAt))
    out.push({ kind: 'breach', target: 'resolution', at: now });
  return out;
}

/** The clock with the fired events marked, so they never fire again. */
export function markFired(s: TicketSla, events: SlaEvent[]): TicketSla {
  const next = { ...s };
  for (const e of events) {
    if (e.target === 'first-response')
      next[e.kind === 'warning' ? 'firstResponseWarned' : 'firstResponseBreached'] = true;
    else next[e.kind === 'warning' ? 'resolutionWarned' : 'resolutionBreached'] = true;
  }
  return next;
}

/** The next moment a warning or breach may fire (the timer looks at the ticket then); undefined for none. */
export function nextCheckAt(t: Clocked): Date | undefined {
  const s = t.sla;
  if (!s.policyId || s.pausedSince || DONE.includes(t.status)) return undefined;
  const times = [
    !t.firstRespondedAt && !s.firstResponseWarned && s.firstResponseWarnAt,
    !t.firstRespondedAt && !s.firstResponseBreached && s.firstResponseDueAt,
    !s.resolutionWarned && s.resolutionWarnAt,
    !s.resolutionBreached && s.resolutionDueAt,
  ].filter((d): d is Date => !!d);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : undefined;
}

/** The nearest due time still open (first response until replied, resolution until resolved), for sort=sla. */
export function nearestDueAt(t: Clocked): Date | undefined {
  const s = t.sla;
  if (!s.policyId || DONE.includes(t.status)) return undefined;
  const times = [!t.firstRespondedAt && s.firstResponseDueAt, s.resolutionDueAt].filter(
    (d): d is Date => !!d,
  );
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : undefined;
}

export function slaStateOf(t: Clocked): SlaState {
  const s = t.sla;
  if (!s.policyId) return 'none';
  if (s.firstResponseBreached || s.resolutionBreached) return 'breached';
  if (s.pausedSince) return 'paused';
  if (s.firstResponseWarned || s.resolutionWarned) return 'warning';
  return 'ok';
}

/** Business minutes left of each target (negative when overdue; 0 once met). */
export function remainingMinutes(t: Clocked, now: Date, cal: BusinessCalendar | undefined) {
  const s = t.sla;
  const left = (due: Date | undefined, met: boolean) =>
    !s.policyId || met || !due || !cal
      ? 0
      : Math.round(businessMinutesBetween(s.pausedSince ?? now, due, cal) * 10) / 10;
  return {
    firstResponse: left(s.firstResponseDueAt, !!t.firstRespondedAt),
    resolution: left(s.resolutionDueAt, DONE.includes(t.status)),
  };
}

/** Where tickets without an open due time go: after every real time (sort=sla, timer scan). */
export const NEVER = new Date('9999-12-31T00:00:00Z');

/** The stored fields derived from the clock, for the list filter, sort=sla and the timer's scan. */
export function slaIndex(t: Clocked): { slaState: SlaState; slaCheckAt: Date; slaSortAt: Date } {
  return {
    slaState: slaStateOf(t),
    slaCheckAt: nextCheckAt(t) ?? NEVER,
    slaSortAt: nearestDueAt(t) ?? NEVER,
  };
}
