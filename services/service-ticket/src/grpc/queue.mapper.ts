import { serviceTicketQueues as pb } from '@crm/proto';
import type { AssignmentRulesInput } from '../domain/assignment-rules';
import type { Availability, QueueFields } from '../domain/queue';
import type { QueueDoc, RulesDoc } from '../store/queue.model';

export const toProtoQueue = (q: QueueDoc): pb.Queue => ({
  key: q._id,
  version: String(q.version),
  name: q.name,
  members: q.members.map((m) => ({ userId: m.userId, availability: m.availability })),
  seniorQueue: q.seniorQueue ?? '',
  managerId: q.managerId ?? '',
  assignmentMethod: q.assignmentMethod,
  active: q.active,
  updatedAt: q.updatedAt,
  updatedBy: q.updatedBy,
});

/** An availability left empty keeps the member's current one (the use case decides). */
export const fromProtoQueue = (q: pb.Queue | undefined): QueueFields => ({
  name: q?.name ?? '',
  members: (q?.members ?? []).map((m) => ({
    userId: m.userId,
    availability: m.availability as Availability,
  })),
  seniorQueue: q?.seniorQueue ?? '',
  managerId: q?.managerId ?? '',
  assignmentMethod: (q?.assignmentMethod ?? '') as QueueFields['assignmentMethod'],
  active: q?.active ?? true,
});

export const toProtoRules = (r: RulesDoc): pb.AssignmentRules => ({
  version: String(r.version),
  rules: r.rules.map((x) => ({
    name: x.name,
    queue: x.queue,
    when: {
      categories: [...x.when.categories],
      tiers: [...x.when.tiers],
      channels: [...x.when.channels],
      priorities: [...x.when.priorities],
    },
  })),
  defaultQueue: r.defaultQueue,
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
});

export const fromProtoRules = (r: pb.AssignmentRules | undefined): AssignmentRulesInput => ({
  rules: (r?.rules ?? []).map((x) => ({
    name: x.name,
    queue: x.queue,
    when: {
      categories: x.when?.categories ?? [],
      tiers: x.when?.tiers ?? [],
      channels: x.when?.channels ?? [],
      priorities: x.when?.priorities ?? [],
    },
  })),
  defaultQueue: r?.defaultQueue ?? '',
});
