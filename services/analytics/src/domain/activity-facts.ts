import { type Applied, dayOf } from './facts';

export const ACTIVITY_KINDS = ['call', 'visit', 'meeting', 'task'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/**
 * One activity of a rep's. A call, visit or meeting counts on the day it happened; a task only once
 * it is done, on the day it was completed (an open task is work planned, not work done), so `day` is
 * empty while a task is open and no figure counts it.
 */
export interface ActivityFact {
  _id: string;
  version: number;
  day: string;
  kind: ActivityKind;
  ownerId: string;
  teamId: string;
  eventAt: Date;
  appliedAt: Date;
}

/** What an activity event says, in the domain's words (the consumer decodes the proto into this). */
export type ActivityChange =
  | {
      kind: 'snapshot';
      activity: ActivityKind;
      ownerId: string;
      teamId: string;
      /** When the call, visit or meeting happened. */
      occurredAt?: Date;
      /** When the task was completed; unset while open. */
      doneAt?: Date;
    }
  | { kind: 'task-completed'; at: Date };

/** The fact after one event; undefined for a change of an activity whose creation was never seen. */
export function applyActivityChange(
  fact: ActivityFact | undefined,
  e: Applied,
  change: ActivityChange,
): ActivityFact | undefined {
  const stamp = { version: e.version, eventAt: e.eventAt, appliedAt: e.appliedAt };
  if (change.kind === 'task-completed') return fact && { ...fact, ...stamp, day: dayOf(change.at) };
  const when = change.activity === 'task' ? change.doneAt : change.occurredAt;
  return {
    _id: e.id,
    ...stamp,
    day: when ? dayOf(when) : '',
    kind: change.activity,
    ownerId: change.ownerId,
    teamId: change.teamId,
  };
}
