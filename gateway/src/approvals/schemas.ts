import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { approval as pb } from '@crm/proto';

extendZodWithOpenApi(z);

export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id');
const userId = z.string().min(1).max(64);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd');
const status = z.enum(['pending', 'approved', 'rejected', 'changes-requested', 'withdrawn']);

export const IdParams = z.object({ id });

export const ApprovalListQuery = z
  .object({
    assignedTo: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: '"me" or a user id: waiting for them now' }),
    requesterId: z.string().max(64).optional().openapi({ description: '"me" or a user id' }),
    status: status.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1000).optional(),
  })
  .strict();

export const DecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject', 'request-changes']),
    comment: z
      .string()
      .max(2000)
      .default('')
      .openapi({ description: 'Required to reject or request changes' }),
  })
  .strict()
  .openapi('ApprovalDecisionInput');

export const WithdrawBody = z
  .object({ comment: z.string().max(2000).default('') })
  .strict()
  .openapi('ApprovalWithdrawInput');

const TrailEntry = z.object({
  action: z.string().openapi({
    description:
      'requested, auto-approved, step-assigned, approved, rejected, changes-requested, delegated, escalated, withdrawn',
  }),
  step: z.number().int(),
  actorId: z.string().openapi({ description: 'A user id, or approval-service for what the engine did' }),
  userIds: z.array(z.string()),
  comment: z.string(),
  at: z.string().nullable(),
});

export const Approval = z
  .object({
    id: z.string(),
    version: z.number().int(),
    subjectType: z.string(),
    subjectId: z.string(),
    title: z.string(),
    snapshot: z.record(z.string(), z.unknown()),
    requesterId: z.string(),
    status,
    policyId: z.string(),
    policyVersion: z.number().int(),
    currentStep: z.number().int(),
    currentApproverIds: z.array(z.string()),
    trail: z.array(TrailEntry),
    createdAt: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Approval');

export const ApprovalList = z
  .object({ items: z.array(Approval), nextCursor: z.string().nullable() })
  .openapi('ApprovalList');

const Step = z
  .object({
    name: z.string().max(200).default(''),
    userIds: z.array(userId).max(50).default([]),
    roles: z.array(z.string().max(64)).max(10).default([]),
    requesterManager: z.boolean().default(false).openapi({
      description: "The sales managers of the requester's teams (Keycloak groups)",
    }),
    mode: z.enum(['any', 'all']).default('any'),
    timeLimitMinutes: z
      .number()
      .int()
      .min(0)
      .max(129600)
      .default(0)
      .openapi({ description: '0: never escalates' }),
    escalateTo: z.enum(['', 'next-level', 'user']).default('').openapi({
      description:
        "next-level: the requester's manager (admins when the managers already decide the step); user: escalateToUserId",
    }),
    escalateToUserId: z.string().max(64).default(''),
  })
  .strict()
  .openapi('ApprovalStep');

export const PolicyBody = z
  .object({
    name: z.string().min(1).max(200),
    subjectType: z.string().min(1).max(64).openapi({ example: 'quote' }),
    condition: z.string().max(1000).default('').openapi({
      description:
        'On the snapshot fields: comparisons, arithmetic, and/or/!, `in [..]`; empty matches every subject',
      example: 'discountPercent > 20 or totalMinor >= 100000000',
    }),
    snapshotFields: z.array(z.string().max(64)).max(50).default([]).openapi({
      description: 'Fields the condition may read besides the known ones of the subject type',
    }),
    priority: z
      .number()
      .int()
      .min(0)
      .max(10000)
      .default(100)
      .openapi({ description: 'Lower is tried first' }),
    active: z.boolean().default(true),
    steps: z.array(Step).min(1).max(10),
  })
  .strict()
  .openapi('ApprovalPolicyInput');

// A fresh object over the body's fields, not .extend(): the document would say allOf the strict body
// (additionalProperties false) and these fields, which no answer can satisfy.
export const Policy = z
  .object({
    ...PolicyBody.shape,
    id: z.string(),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('ApprovalPolicy');

export const PolicyList = z.object({ items: z.array(Policy) }).openapi('ApprovalPolicyList');
export const PolicyListQuery = z.object({ subjectType: z.string().max(64).optional() }).strict();

export const DelegationBody = z
  .object({
    delegatorId: z
      .string()
      .max(64)
      .default('')
      .openapi({ description: 'Whose approvals; default the caller (admins may name anyone)' }),
    delegateId: userId,
    startsOn: date,
    endsOn: date,
    comment: z.string().max(500).default(''),
  })
  .strict()
  .openapi('ApprovalDelegationInput');

export const Delegation = z
  .object({
    id: z.string(),
    delegatorId: z.string(),
    delegateId: z.string(),
    startsOn: z.string(),
    endsOn: z.string(),
    comment: z.string(),
    active: z.boolean(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
  })
  .openapi('ApprovalDelegation');

export const DelegationList = z.object({ items: z.array(Delegation) }).openapi('ApprovalDelegationList');
export const DelegationListQuery = z.object({ includeEnded: z.enum(['true', 'false']).optional() }).strict();

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

export const approvalToJson = (a: pb.ApprovalRequest): z.input<typeof Approval> => ({
  id: a.id,
  version: a.version,
  subjectType: a.subjectType,
  subjectId: a.subjectId,
  title: a.title,
  snapshot: a.snapshot ?? {},
  requesterId: a.requesterId,
  status: a.status as never,
  policyId: a.policyId,
  policyVersion: a.policyVersion,
  currentStep: a.currentStep,
  currentApproverIds: a.currentApproverIds,
  trail: a.trail.map((t) => ({ ...t, at: iso(t.at) })),
  createdAt: iso(a.createdAt),
  decidedAt: iso(a.decidedAt),
});

export const policyToJson = (p: pb.ApprovalPolicy): z.input<typeof Policy> => ({
  ...(p.policy as pb.ApprovalPolicyInput),
  steps: (p.policy?.steps ?? []).map((s) => ({
    ...s,
    mode: s.mode as never,
    escalateTo: s.escalateTo as never,
  })),
  id: p.id,
  version: p.version,
  updatedAt: iso(p.updatedAt),
  updatedBy: p.updatedBy,
});

export const delegationToJson = (d: pb.Delegation): z.input<typeof Delegation> => ({
  ...d,
  createdAt: iso(d.createdAt),
});
