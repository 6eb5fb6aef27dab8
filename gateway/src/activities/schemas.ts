import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { account as pb } from '@crm/proto';
import { protoEnum } from '../api/proto-enum';
import { id } from '../accounts/schemas';

extendZodWithOpenApi(z);

/** Kinds and priorities as REST names, from the proto enums the account service maps its domain to. */
export const activityKind = protoEnum(pb.ActivityKind, 'ACTIVITY_KIND_');
export const taskPriority = protoEnum(pb.TaskPriority, 'TASK_PRIORITY_');
export const ACTIVITY_TYPES = activityKind.values;
export const PRIORITIES = taskPriority.values;
export const RELATED_TYPES = ['lead', 'account', 'contact', 'opportunity'] as const;

const str = (max: number) => z.string().max(max);
const time = z.iso.datetime({ offset: true });

export const RelatedRecord = z
  .object({ type: z.enum(RELATED_TYPES), id })
  .strict()
  .openapi('RelatedRecord', { description: 'The record an activity belongs to' });

export const CreateActivityBody = z
  .object({
    type: z.enum(ACTIVITY_TYPES),
    relatedTo: RelatedRecord,
    subject: z.string().trim().min(1).max(300),
    description: str(10_000).optional(),
    dueAt: time.optional().openapi({ description: 'Task: when it is due' }),
    priority: z.enum(PRIORITIES).optional().openapi({ description: 'Task: default normal' }),
    assigneeId: str(64).optional().openapi({ description: 'Task: a user id or "me" (default)' }),
    occurredAt: time
      .optional()
      .openapi({ description: 'Call, visit, meeting: when (default now); at most one day ahead' }),
    participantContactIds: z.array(id).max(100).optional().openapi({ description: 'Contacts who took part' }),
    outcome: str(2000).optional(),
    nextStep: str(2000).optional(),
    opportunityId: id.optional().openapi({
      description:
        'The deal the activity is about, next to an account or contact: it must be visible to the caller ' +
        '(404) and belong to that account (400). Implied when relatedTo is an opportunity.',
    }),
  })
  .strict()
  .openapi('CreateActivity');

export const PatchActivityBody = z
  .object({
    subject: z.string().trim().min(1).max(300).optional(),
    description: str(10_000).optional(),
    dueAt: time.optional(),
    priority: z.enum(PRIORITIES).optional(),
    assigneeId: str(64).optional(),
    done: z.boolean().optional().openapi({ description: 'Task: true completes it, false reopens it' }),
    occurredAt: time.optional(),
    participantContactIds: z.array(id).max(100).optional(),
    outcome: str(2000).optional(),
    nextStep: str(2000).optional(),
  })
  .strict()
  .openapi('PatchActivity');

const csvOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return [] as T[number][];
      const parts = v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      for (const p of parts) {
        if (!(values as readonly string[]).includes(p)) {
          ctx.addIssue({ code: 'custom', message: `unknown ${what} "${p}"` });
          return z.NEVER;
        }
      }
      return parts as T[number][];
    })
    .openapi({ type: 'string', description: `Comma-separated: ${values.join(', ')}` });

export const ActivityListQuery = z
  .object({
    relatedTo: id.optional().openapi({ description: 'Id of a lead, account, contact or opportunity' }),
    relatedType: z.enum(RELATED_TYPES).optional().openapi({ description: 'Type of relatedTo, if known' }),
    accountId: id.optional().openapi({ description: 'Everything of an account, including its contacts' }),
    assignee: str(64).optional().openapi({ description: 'Tasks assigned to a user id or "me"' }),
    due: z
      .enum(['today', 'overdue'])
      .optional()
      .openapi({ description: 'Open tasks due today (in tz) or already overdue' }),
    tz: str(64)
      .optional()
      .openapi({ description: 'IANA time zone for due=today, e.g. Asia/Shanghai; default UTC' }),
    type: csvOf(ACTIVITY_TYPES, 'type'),
    open: z.enum(['true', 'false']).optional().openapi({ description: 'true: only open tasks' }),
    sort: z.enum(['at', '-at']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: str(1000).optional(),
  })
  .strict();

export const Activity = z
  .object({
    id: z.string(),
    version: z.number().int(),
    type: z.enum(ACTIVITY_TYPES),
    relatedTo: z.object({ type: z.string(), id: z.string() }),
    accountId: z.string(),
    opportunityId: z
      .string()
      .nullable()
      .openapi({ description: 'The deal the activity is about; null when none' }),
    subject: z.string(),
    description: z.string(),
    dueAt: z.string().nullable(),
    priority: z.enum(PRIORITIES).nullable(),
    assigneeId: z.string(),
    done: z.boolean(),
    doneAt: z.string().nullable(),
    doneBy: z.string(),
    occurredAt: z.string().nullable(),
    participantContactIds: z.array(z.string()),
    outcome: z.string(),
    nextStep: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Activity');

export const ActivityList = z
  .object({ items: z.array(Activity), nextCursor: z.string().nullable() })
  .openapi('ActivityList');
