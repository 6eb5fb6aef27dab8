import { account as pb } from '@crm/proto';
import type { z } from 'zod';
import { ACTIVITY_TYPES, PRIORITIES, type CreateActivityBody, type PatchActivityBody } from './schemas';

type Kind = (typeof ACTIVITY_TYPES)[number];
type Priority = (typeof PRIORITIES)[number];

const KIND: Record<Kind, pb.ActivityKind> = {
  task: pb.ActivityKind.ACTIVITY_KIND_TASK,
  call: pb.ActivityKind.ACTIVITY_KIND_CALL,
  visit: pb.ActivityKind.ACTIVITY_KIND_VISIT,
  meeting: pb.ActivityKind.ACTIVITY_KIND_MEETING,
};
const PRIORITY: Record<Priority, pb.TaskPriority> = {
  low: pb.TaskPriority.TASK_PRIORITY_LOW,
  normal: pb.TaskPriority.TASK_PRIORITY_NORMAL,
  high: pb.TaskPriority.TASK_PRIORITY_HIGH,
};

export const kindToProto = (k: Kind) => KIND[k];
const kindFromProto = (v: number): Kind =>
  (Object.entries(KIND) as [Kind, number][]).find(([, x]) => x === v)?.[0] ?? 'task';
const priorityFromProto = (v: number): Priority | null =>
  (Object.entries(PRIORITY) as [Priority, number][]).find(([, x]) => x === v)?.[0] ?? null;

const iso = (d: Date | undefined | null): string | null => (d ? d.toISOString() : null);
const date = (s: string | undefined) => (s ? new Date(s) : undefined);

export function activityToJson(a: pb.Activity) {
  return {
    id: a.id,
    version: Number(a.version || 0),
    type: kindFromProto(a.kind),
    relatedTo: { type: a.relatedTo?.type ?? '', id: a.relatedTo?.id ?? '' },
    accountId: a.accountId,
    subject: a.subject,
    description: a.description,
    dueAt: iso(a.dueAt),
    priority: priorityFromProto(a.priority),
    assigneeId: a.assigneeId,
    done: a.done,
    doneAt: iso(a.doneAt),
    doneBy: a.doneBy,
    occurredAt: iso(a.occurredAt),
    participantContactIds: a.participantContactIds,
    outcome: a.outcome,
    nextStep: a.nextStep,
    ownerId: a.ownerId,
    teamId: a.teamId,
    createdAt: iso(a.created?.at),
    createdBy: a.created?.actorId ?? '',
    updatedAt: iso(a.updated?.at),
    updatedBy: a.updated?.actorId ?? '',
  };
}

/** `me` as assignee means the caller. */
export function activityInputToProto(b: z.infer<typeof CreateActivityBody>, me: string): pb.ActivityInput {
  return pb.ActivityInput.fromPartial({
    kind: KIND[b.type],
    relatedTo: b.relatedTo,
    subject: b.subject,
    description: b.description ?? '',
    dueAt: date(b.dueAt),
    priority: b.priority ? PRIORITY[b.priority] : 0,
    assigneeId: b.assigneeId === 'me' ? me : (b.assigneeId ?? ''),
    occurredAt: date(b.occurredAt),
    participantContactIds: b.participantContactIds ?? [],
    outcome: b.outcome ?? '',
    nextStep: b.nextStep ?? '',
  });
}

export function activityPatchToProto(p: z.infer<typeof PatchActivityBody>, me: string): pb.ActivityPatch {
  return pb.ActivityPatch.fromPartial({
    subject: p.subject,
    description: p.description,
    dueAt: date(p.dueAt),
    priority: p.priority ? PRIORITY[p.priority] : 0,
    assigneeId: p.assigneeId === 'me' ? me : p.assigneeId,
    done: p.done,
    occurredAt: date(p.occurredAt),
    participantContactIds: p.participantContactIds ? { ids: p.participantContactIds } : undefined,
    outcome: p.outcome,
    nextStep: p.nextStep,
  });
}
