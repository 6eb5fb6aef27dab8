import { account as pb } from '@crm/proto';
import type { z } from 'zod';
import { activityKind, taskPriority, type CreateActivityBody, type PatchActivityBody } from './schemas';

export const kindToProto = (k: string) => activityKind.toProto(k);
const kindFromProto = (v: number) => activityKind.fromProto(v, 'task');
const priorityToProto = (p: string | undefined) => (p ? taskPriority.toProto(p) : 0);
const priorityFromProto = (v: number): string | null => (v ? taskPriority.fromProto(v, 'normal') : null);

const iso = (d: Date | undefined | null): string | null => (d ? d.toISOString() : null);
const date = (s: string | undefined) => (s ? new Date(s) : undefined);

export function activityToJson(a: pb.Activity) {
  return {
    id: a.id,
    version: Number(a.version || 0),
    type: kindFromProto(a.kind),
    relatedTo: { type: a.relatedTo?.type ?? '', id: a.relatedTo?.id ?? '' },
    accountId: a.accountId,
    opportunityId: a.opportunityId || null,
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
    kind: kindToProto(b.type),
    relatedTo: b.relatedTo,
    subject: b.subject,
    description: b.description ?? '',
    dueAt: date(b.dueAt),
    priority: priorityToProto(b.priority),
    assigneeId: b.assigneeId === 'me' ? me : (b.assigneeId ?? ''),
    occurredAt: date(b.occurredAt),
    participantContactIds: b.participantContactIds ?? [],
    outcome: b.outcome ?? '',
    nextStep: b.nextStep ?? '',
    opportunityId: b.opportunityId ?? '',
  });
}

export function activityPatchToProto(p: z.infer<typeof PatchActivityBody>, me: string): pb.ActivityPatch {
  return pb.ActivityPatch.fromPartial({
    subject: p.subject,
    description: p.description,
    dueAt: date(p.dueAt),
    priority: priorityToProto(p.priority),
    assigneeId: p.assigneeId === 'me' ? me : p.assigneeId,
    done: p.done,
    occurredAt: date(p.occurredAt),
    participantContactIds: p.participantContactIds ? { ids: p.participantContactIds } : undefined,
    outcome: p.outcome,
    nextStep: p.nextStep,
  });
}
