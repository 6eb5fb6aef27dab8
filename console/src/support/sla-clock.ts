/** How near an SLA target is, as the queue colours it. */
export type SlaLevel = 'met' | 'ok' | 'warning' | 'critical' | 'breached';

export interface SlaReading {
  level: SlaLevel;
  /** Milliseconds until the target (negative once breached). */
  remainingMs: number;
}

/**
 * Reads a target against the clock: under half the time left is a warning, under a fifth critical,
 * none left breached. `startedAt` is when the clock started (the ticket's creation).
 */
export function readSla(dueAt: string, startedAt: string | null | undefined, now: number): SlaReading {
  const due = Date.parse(dueAt);
  const remainingMs = due - now;
  if (remainingMs <= 0) return { level: 'breached', remainingMs };
  const start = startedAt ? Date.parse(startedAt) : NaN;
  const total = due - start;
  const left = Number.isFinite(total) && total > 0 ? remainingMs / total : 1;
  const level: SlaLevel = left < 0.2 ? 'critical' : left < 0.5 ? 'warning' : 'ok';
  return { level, remainingMs };
}

export const SLA_COLOURS: Record<SlaLevel, string> = {
  met: 'gray',
  ok: 'green',
  warning: 'yellow',
  critical: 'orange',
  breached: 'red',
};

/** "2d 3h", "3h 05m", "12m", "-45m": the time left (or past) in its two largest units. */
export function formatRemaining(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${sign}${days}d ${hours}h`;
  if (hours > 0) return `${sign}${hours}h ${String(mins).padStart(2, '0')}m`;
  return `${sign}${mins}m`;
}
