import { periodOf, type FigureQuery } from './figure-query';
import { groupBy, ratio } from './figures';
import { median } from './sales-figures';
import type { TicketFact } from './ticket-facts';

export interface BacklogRow {
  queue: string;
  priority: string;
  status: string;
  tickets: number;
  unassigned: number;
}

export interface SlaRow {
  period: string;
  queue: string;
  /** Tickets an SLA policy measures. */
  tickets: number;
  firstResponseMet: number;
  firstResponseBreached: number;
  /** met / (met + breached), 0..1; 0 when none was measured yet. */
  firstResponseCompliance: number;
  resolutionMet: number;
  resolutionBreached: number;
  resolutionCompliance: number;
}

export interface ResolutionTimeRow {
  period: string;
  priority: string;
  resolved: number;
  averageResolutionMinutes: number;
  medianResolutionMinutes: number;
  averageFirstResponseMinutes: number;
  medianFirstResponseMinutes: number;
  /** Of the resolved tickets, how many had been reopened before. */
  reopened: number;
  reopenRate: number;
}

export type CsatDimension = 'all' | 'agent' | 'queue' | 'tier';

export interface CsatRow {
  period: string;
  dimension: CsatDimension;
  /** The agent, queue or tier; empty for "all". */
  key: string;
  rated: number;
  average: number;
  /** How many answers gave 1, 2, 3, 4 and 5. */
  distribution: [number, number, number, number, number];
}

const OPEN = new Set(['new', 'open', 'pending']);
const round2 = (n: number) => Math.round(n * 100) / 100;
const average = (ns: number[]) => (ns.length ? round2(ns.reduce((s, n) => s + n, 0) / ns.length) : 0);

/** Tickets still to be worked, by queue, priority and status. */
export function backlog(tickets: TicketFact[]): BacklogRow[] {
  return [
    ...groupBy(
      tickets.filter((t) => OPEN.has(t.status)),
      (t) => `${t.queue}|${t.priority}|${t.status}`,
    ),
  ]
    .map(([, ts]) => ({
      queue: ts[0]!.queue,
      priority: ts[0]!.priority,
      status: ts[0]!.status,
      tickets: ts.length,
      unassigned: ts.filter((t) => !t.assigneeId).length,
    }))
    .sort(
      (a, b) =>
        a.queue.localeCompare(b.queue) ||
        a.priority.localeCompare(b.priority) ||
        a.status.localeCompare(b.status),
    );
}

/**
 * SLA compliance of the tickets created in each period, by queue: a target is met once it was done
 * without breaching and missed once it breached; a target still running counts in neither.
 */
export function sla(tickets: TicketFact[], q: FigureQuery): SlaRow[] {
  const measured = tickets.filter((t) => t.hasSla);
  return [...groupBy(measured, (t) => `${periodOf(t.day, q.period)}|${t.queue}`)]
    .map(([key, ts]) => {
      const firstResponseMet = ts.filter(
        (t) => t.firstResponseMinutes >= 0 && !t.firstResponseBreached,
      ).length;
      const firstResponseBreached = ts.filter((t) => t.firstResponseBreached).length;
      const resolutionMet = ts.filter((t) => t.resolutionMinutes >= 0 && !t.resolutionBreached).length;
      const resolutionBreached = ts.filter((t) => t.resolutionBreached).length;
      return {
        period: key.split('|')[0]!,
        queue: ts[0]!.queue,
        tickets: ts.length,
        firstResponseMet,
        firstResponseBreached,
        firstResponseCompliance: ratio(firstResponseMet, firstResponseMet + firstResponseBreached),
        resolutionMet,
        resolutionBreached,
        resolutionCompliance: ratio(resolutionMet, resolutionMet + resolutionBreached),
      };
    })
    .sort((a, b) => a.period.localeCompare(b.period) || a.queue.localeCompare(b.queue));
}

/**
 * Tickets resolved (or closed) in the range, by period of resolution and priority: minutes to resolve
 * and to first respond (wall-clock), and the reopen rate.
 */
export function resolutionTime(tickets: TicketFact[], q: FigureQuery): ResolutionTimeRow[] {
  const resolved = tickets.filter(
    (t) => t.resolvedDay && (!q.from || t.resolvedDay >= q.from) && (!q.to || t.resolvedDay <= q.to),
  );
  return [...groupBy(resolved, (t) => `${periodOf(t.resolvedDay, q.period)}|${t.priority}`)]
    .map(([key, ts]) => {
      const resolution = ts.map((t) => t.resolutionMinutes);
      const firstResponse = ts.filter((t) => t.firstResponseMinutes >= 0).map((t) => t.firstResponseMinutes);
      const reopened = ts.filter((t) => t.reopens > 0).length;
      return {
        period: key.split('|')[0]!,
        priority: ts[0]!.priority,
        resolved: ts.length,
        averageResolutionMinutes: average(resolution),
        medianResolutionMinutes: median(resolution),
        averageFirstResponseMinutes: average(firstResponse),
        medianFirstResponseMinutes: median(firstResponse),
        reopened,
        reopenRate: ratio(reopened, ts.length),
      };
    })
    .sort((a, b) => a.period.localeCompare(b.period) || a.priority.localeCompare(b.priority));
}

/** Customer satisfaction of the rated tickets created in each period: overall, by agent, queue and tier. */
export function csat(tickets: TicketFact[], q: FigureQuery): CsatRow[] {
  const rated = tickets.filter((t) => t.csatScore >= 1 && t.csatScore <= 5);
  const keyOf: Record<CsatDimension, (t: TicketFact) => string> = {
    all: () => '',
    agent: (t) => t.assigneeId,
    queue: (t) => t.queue,
    tier: (t) => t.tier,
  };
  const dimensions: CsatDimension[] = ['all', 'agent', 'queue', 'tier'];
  const rows: CsatRow[] = [];
  for (const [period, ts] of groupBy(rated, (t) => periodOf(t.day, q.period))) {
    for (const dimension of dimensions) {
      for (const [key, group] of groupBy(ts, keyOf[dimension])) {
        const distribution: CsatRow['distribution'] = [0, 0, 0, 0, 0];
        for (const t of group) distribution[t.csatScore - 1] = (distribution[t.csatScore - 1] ?? 0) + 1;
        rows.push({
          period,
          dimension,
          key,
          rated: group.length,
          average: average(group.map((t) => t.csatScore)),
          distribution,
        });
      }
    }
  }
  return rows.sort(
    (a, b) =>
      a.period.localeCompare(b.period) ||
      dimensions.indexOf(a.dimension) - dimensions.indexOf(b.dimension) ||
      a.key.localeCompare(b.key),
  );
}
