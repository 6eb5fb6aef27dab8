import { dayOf, type Applied } from './facts';

/**
 * One small fact per service ticket, replaced whole by each of its events (every ticket event carries
 * the ticket as stored), holding what the service figures count.
 */
export interface TicketFact {
  _id: string;
  version: number;
  /** Day the ticket was created, "yyyy-mm-dd" (UTC). */
  day: string;
  queue: string;
  /** The agent working it; empty while unassigned. */
  assigneeId: string;
  priority: string;
  /** Account tier when opened ("strategic", "A", "B", "C"; empty if unknown). */
  tier: string;
  /** "new", "open", "pending", "resolved" or "closed". */
  status: string;
  /** An SLA policy measures it. */
  hasSla: boolean;
  /** Minutes from creation to the first public reply; -1 before it. */
  firstResponseMinutes: number;
  firstResponseBreached: boolean;
  /** Day it was last resolved; empty if never. */
  resolvedDay: string;
  /** Minutes from creation to the last resolution; -1 if never resolved. */
  resolutionMinutes: number;
  resolutionBreached: boolean;
  /** Times it was reopened after a resolution or close. */
  reopens: number;
  /** The customer's satisfaction 1-5; 0 until rated. */
  csatScore: number;
  eventAt: Date;
  appliedAt: Date;
}

/** A ticket as every ticket event carries it whole. */
export interface TicketSnapshot {
  createdAt: Date;
  queue: string;
  assigneeId: string;
  priority: string;
  tier: string;
  status: string;
  slaPolicyId: string;
  firstRespondedAt?: Date;
  firstResponseBreached: boolean;
  resolvedAt?: Date;
  resolutionBreached: boolean;
  /** Its status changes, oldest first. */
  statusChanges: { from: string; to: string }[];
  csatScore: number;
}

const minutesBetween = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 60_000);

const isReopen = (c: { from: string; to: string }) =>
  (c.from === 'resolved' || c.from === 'closed') && c.to !== 'resolved' && c.to !== 'closed';

export function applyTicketSnapshot(e: Applied, t: TicketSnapshot): TicketFact {
  const resolved = t.status === 'resolved' || t.status === 'closed';
  return {
    _id: e.id,
    version: e.version,
    eventAt: e.eventAt,
    appliedAt: e.appliedAt,
    day: dayOf(t.createdAt),
    queue: t.queue,
    assigneeId: t.assigneeId,
    priority: t.priority,
    tier: t.tier,
    status: t.status,
    hasSla: !!t.slaPolicyId,
    firstResponseMinutes: t.firstRespondedAt ? minutesBetween(t.createdAt, t.firstRespondedAt) : -1,
    firstResponseBreached: t.firstResponseBreached,
    // A reopened ticket keeps its last resolution time in the ticket, but it is not resolved now.
    resolvedDay: resolved && t.resolvedAt ? dayOf(t.resolvedAt) : '',
    resolutionMinutes: resolved && t.resolvedAt ? minutesBetween(t.createdAt, t.resolvedAt) : -1,
    resolutionBreached: t.resolutionBreached,
    reopens: t.statusChanges.filter(isReopen).length,
    csatScore: t.csatScore,
  };
}
