import type { components } from '../api/schema.gen';

export type Ticket = components['schemas']['Ticket'];

/** A ticket's SLA: due times, what was met, whether the clock is paused. */
export type TicketSla = Ticket['sla'];

export function slaOf(ticket: Ticket): TicketSla {
  return ticket.sla;
}

/** The target a ticket is racing now: the first response until there is one, then the resolution. */
export function nextDue(ticket: Ticket): string | null {
  if (ticket.status === 'resolved' || ticket.status === 'closed') return null;
  const sla = ticket.sla;
  if (!sla) return null;
  return (sla.firstRespondedAt ? sla.resolutionDueAt : sla.firstResponseDueAt) ?? null;
}

/** Nearest due first; tickets without a running target last. */
export function byNearestDue(a: Ticket, b: Ticket): number {
  const da = nextDue(a);
  const db = nextDue(b);
  if (da === db) return 0;
  if (!da) return 1;
  if (!db) return -1;
  return Date.parse(da) - Date.parse(db);
}

export const PRIORITY_COLOURS: Record<string, string> = {
  low: 'gray',
  normal: 'blue',
  high: 'orange',
  urgent: 'red',
};

export type TimelineEntry =
  | { kind: 'reply' | 'note'; at: string; who: string; text: string }
  | { kind: 'status'; at: string; who: string; from: string; to: string; text: string }
  | { kind: 'escalation'; at: string; who: string; level: number; toQueue: string; text: string };

/** Replies, notes, status changes and escalations of a ticket in the order they happened. */
export function timelineOf(ticket: Ticket): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...ticket.comments.map((c): TimelineEntry => ({
      kind: c.visibility === 'public' ? 'reply' : 'note',
      at: c.createdAt ?? '',
      who: c.authorId,
      text: c.body,
    })),
    ...ticket.statusHistory.map((s): TimelineEntry => ({
      kind: 'status',
      at: s.changedAt ?? '',
      who: s.changedBy,
      from: s.fromStatus,
      to: s.toStatus,
      text: s.note,
    })),
    ...ticket.escalations.map((e): TimelineEntry => ({
      kind: 'escalation',
      at: e.escalatedAt ?? '',
      who: e.escalatedBy,
      level: e.level,
      toQueue: e.toQueue,
      text: e.reason,
    })),
  ];
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}
