export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const SLA_STATES = ['ok', 'warning', 'breached', 'paused'] as const;
export const VIEWS = ['mine', 'queues'] as const;

export type Status = (typeof STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type SlaState = (typeof SLA_STATES)[number];
export type View = (typeof VIEWS)[number];

/** What the ticket queue shows; kept in the URL so a dashboard can link to it and a user bookmark it. */
export interface QueueFilters {
  view: View;
  status: Status | null;
  priority: Priority | null;
  slaState: SlaState | null;
  queue: string | null;
}

// The API's id rule for a queue key; anything else in a hand-edited link is ignored, not sent.
const QUEUE_KEY = /^[\w.:-]{1,64}$/;

const oneOf = <T extends string>(allowed: readonly T[], value: string | null): T | null =>
  allowed.includes(value as T) ? (value as T) : null;

/**
 * The filters of a queue URL (`?view=queues&queue=support&status=new`). A queue asked for without a view
 * means every ticket of that queue, not only the user's own.
 */
export function queueFiltersFrom(params: URLSearchParams): QueueFilters {
  const queue = params.get('queue');
  const picked = queue && QUEUE_KEY.test(queue) ? queue : null;
  return {
    view: oneOf(VIEWS, params.get('view')) ?? (picked ? 'queues' : 'mine'),
    status: oneOf(STATUSES, params.get('status')),
    priority: oneOf(PRIORITIES, params.get('priority')),
    slaState: oneOf(SLA_STATES, params.get('slaState')),
    queue: picked,
  };
}

/** The URL query of the filters (the default view left out), the inverse of queueFiltersFrom. */
export function queueFiltersQuery(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.view !== 'mine' || filters.queue) params.set('view', filters.view);
  for (const key of ['queue', 'status', 'priority', 'slaState'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}
