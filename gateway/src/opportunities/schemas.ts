import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { opportunity as pb } from '@crm/proto';
import { CustomFieldValues } from '../custom-fields/schemas';

extendZodWithOpenApi(z);

const str = (max: number) => z.string().max(max);
export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id');
const stageKey = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a stage key such as needs-analysis');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd');

export const IdParams = z.object({ id });

export const Stage = z
  .object({
    key: z.string().min(1).max(40).openapi({ example: 'needs-analysis' }),
    name: z.string().min(1).max(200),
    winProbability: z.number().int().min(0).max(100).openapi({ description: 'Percent' }),
    forecastCategory: z.enum(['pipeline', 'best-case', 'commit', 'closed']),
    exitCriteria: z
      .array(
        z.enum([
          'primaryContactId',
          'decisionMakerContactId',
          'amountMinor',
          'expectedCloseDate',
          'nextStep',
        ]),
      )
      .max(10)
      .default([])
      .openapi({ description: 'Opportunity fields that must be filled before a deal leaves this stage' }),
    outcome: z
      .enum(['', 'won', 'lost'])
      .default('')
      .openapi({ description: 'won or lost for a closed stage' }),
  })
  .strict()
  .openapi('Stage');

export const PipelineBody = z
  .object({
    name: z.string().min(1).max(200),
    stages: z.array(Stage).min(2).max(30),
    moveDeals: z
      .record(z.string().max(40), z.string().max(40))
      .optional()
      .openapi({
        description:
          'Where the open deals of a removed stage go: removed stage key -> an open stage kept from the current pipeline',
        example: { 'needs-analysis': 'qualification' },
      }),
  })
  .strict()
  .openapi('PipelineInput');

export const Pipeline = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    stages: z.array(Stage),
    isDefault: z.boolean(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Pipeline');

export const PipelineList = z.object({ items: z.array(Pipeline) }).openapi('PipelineList');

const fields = {
  name: str(200),
  accountId: id,
  primaryContactId: z.union([id, z.literal('')]),
  decisionMakerContactId: z.union([id, z.literal('')]),
  amountMinor: z
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ description: 'Integer minor units of the currency (cents, fen)', example: 12500000 }),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code, e.g. EUR'),
  expectedCloseDate: z.union([date, z.literal('')]),
  nextStep: str(1000),
  ownerId: str(64),
  teamId: str(64),
  customFields: CustomFieldValues.openapi({
    description:
      'Values of custom fields (entity opportunity) by key; in a PATCH only the keys sent change and null clears one',
  }),
};

export const PatchOpportunityBody = z.object(fields).partial().strict().openapi('OpportunityPatch');

export const CreateOpportunityBody = PatchOpportunityBody.extend({
  name: z.string().min(1).max(200),
  accountId: id,
  currency: fields.currency,
  pipelineId: id.optional().openapi({ description: 'Default: the default pipeline' }),
  sourceLeadId: id.optional(),
}).openapi('OpportunityInput');

export const MoveStageBody = z
  .object({ stageKey: z.string().min(1).max(40) })
  .strict()
  .openapi('StageMoveInput');

const SORT_KEYS = ['createdAt', 'updatedAt', 'closeDate', 'amount', 'name'] as const;
export const OPPORTUNITY_SORTS = [...SORT_KEYS, ...SORT_KEYS.map((k) => `-${k}` as const)] as const;

export const OpportunityListQuery = z
  .object({
    stage: stageKey.optional(),
    ownerId: str(64).optional().openapi({ description: 'A user id or "me"' }),
    teamId: str(64).optional(),
    accountId: id.optional(),
    pipelineId: id.optional(),
    closeDateFrom: date.optional().openapi({ description: 'Expected close date on or after' }),
    closeDateTo: date.optional().openapi({ description: 'Expected close date on or before' }),
    amountMinMinor: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    amountMaxMinor: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    forecastCategory: z.enum(['pipeline', 'best-case', 'commit', 'closed']).optional(),
    sort: z
      .enum(OPPORTUNITY_SORTS)
      .optional()
      .openapi({
        description:
          'Order of the list (default -createdAt, newest first); - sorts descending. amount compares minor ' +
          'units across currencies; closeDate puts deals without a date first (last with -closeDate)',
      }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: str(1000).optional(),
  })
  .strict();

export const Opportunity = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    accountId: z.string(),
    primaryContactId: z.string(),
    decisionMakerContactId: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    expectedCloseDate: z.string(),
    nextStep: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    sourceLeadId: z.string(),
    pipelineId: z.string(),
    stageKey: z.string(),
    stageEnteredAt: z.string().nullable(),
    stageHistory: z.array(
      z.object({
        fromStage: z.string(),
        toStage: z.string(),
        movedBy: z.string(),
        movedAt: z.string().nullable(),
        daysInStage: z.number().int(),
      }),
    ),
    forecastChanges: z.array(
      z.object({
        field: z.enum(['amount', 'expectedCloseDate']),
        before: z.string(),
        after: z.string(),
        changedBy: z.string(),
        changedAt: z.string().nullable(),
      }),
    ),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
    status: z
      .enum(['open', 'won', 'lost'])
      .openapi({ description: 'A won or lost deal is read-only until reopened' }),
    pendingCloseApprovalId: z
      .string()
      .openapi({ description: 'The approval request a close as won waits for; empty when none' }),
    closedAt: z.string().nullable(),
    closedBy: z.string(),
    lossReason: z.string(),
    competitor: z.string(),
    closeHistory: z.array(
      z.object({
        action: z.enum(['close-requested', 'won', 'lost', 'close-rejected', 'reopened']),
        by: z.string(),
        at: z.string().nullable(),
        approvalRequestId: z.string(),
        lossReason: z.string(),
        competitor: z.string(),
        comment: z.string(),
        fromStage: z.string(),
      }),
    ),
    teamMembers: z.array(z.lazy(() => DealTeamMember)),
    customFields: z.record(z.string(), z.unknown()).openapi({
      description: 'Values of custom fields by key (archived fields are left out)',
    }),
  })
  .openapi('Opportunity');

export const DEAL_TEAM_ROLES = [
  'owner',
  'presales',
  'solution-specialist',
  'implementation',
  'customer-success',
  'finance',
] as const;

export const DealTeamMember = z
  .object({ userId: str(64).min(1), role: z.enum(DEAL_TEAM_ROLES) })
  .strict()
  .openapi('DealTeamMember');

export const DealTeamBody = z
  .object({ members: z.array(DealTeamMember).max(30) })
  .strict()
  .openapi('DealTeamInput');

export const DealTeam = z
  .object({ opportunityId: z.string(), version: z.number().int(), members: z.array(DealTeamMember) })
  .openapi('DealTeam');

export const CloseOpportunityBody = z
  .object({
    outcome: z.enum(['won', 'lost']),
    lossReason: z
      .string()
      .max(40)
      .optional()
      .openapi({ description: 'Required for lost: a key of GET /loss-reasons', example: 'price' }),
    competitor: str(200).optional().openapi({ description: 'Who won instead (lost only)' }),
  })
  .strict()
  .openapi('CloseOpportunityInput');

export const CloseOpportunityResult = z
  .object({
    result: z.enum(['won', 'lost', 'pending-approval']),
    approvalRequestId: z.string().openapi({ description: 'The approval request (won); empty for lost' }),
    opportunity: z.lazy(() => Opportunity),
  })
  .openapi('CloseOpportunityResult');

export const ReopenOpportunityBody = z
  .object({ reason: str(1000).optional() })
  .strict()
  .openapi('ReopenOpportunityInput');

const LossReason = z.object({ key: z.string().min(1).max(40), name: z.string().min(1).max(200) }).strict();

export const LossReasonsBody = z
  .object({ reasons: z.array(LossReason).min(1).max(50) })
  .strict()
  .openapi('LossReasonsInput');

export const LossReasons = z
  .object({
    version: z.number().int().openapi({ description: '0 for the built-in list' }),
    reasons: z.array(LossReason),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('LossReasons');

export const OpportunityList = z
  .object({ items: z.array(Opportunity), nextCursor: z.string().nullable() })
  .openapi('OpportunityList');

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

export const pipelineToJson = (p: pb.Pipeline): z.input<typeof Pipeline> => ({
  id: p.id,
  version: Number(p.version),
  name: p.name,
  stages: p.stages.map((s) => ({
    ...s,
    forecastCategory: s.forecastCategory as never,
    outcome: s.outcome as never,
  })) as never,
  isDefault: p.isDefault,
  updatedAt: iso(p.updatedAt),
  updatedBy: p.updatedBy,
});

export const opportunityToJson = (o: pb.Opportunity): z.input<typeof Opportunity> => ({
  ...o,
  version: Number(o.version),
  amountMinor: Number(o.amountMinor),
  stageEnteredAt: iso(o.stageEnteredAt),
  stageHistory: o.stageHistory.map((m) => ({ ...m, movedAt: iso(m.movedAt) })),
  forecastChanges: o.forecastChanges.map((c) => ({
    ...c,
    field: c.field as never,
    changedAt: iso(c.changedAt),
  })),
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt),
  status: o.status as never,
  closedAt: iso(o.closedAt),
  closeHistory: o.closeHistory.map((e) => ({ ...e, action: e.action as never, at: iso(e.at) })),
  teamMembers: o.teamMembers.map((m) => ({ userId: m.userId, role: m.role as never })),
  customFields: o.customFields ?? {},
});

export const dealTeamToJson = (o: pb.Opportunity): z.input<typeof DealTeam> => ({
  opportunityId: o.id,
  version: Number(o.version),
  members: o.teamMembers.map((m) => ({ userId: m.userId, role: m.role as never })),
});

export const lossReasonsToJson = (r: pb.LossReasons): z.input<typeof LossReasons> => ({
  version: Number(r.version),
  reasons: r.reasons.map((x) => ({ key: x.key, name: x.name })),
  updatedAt: iso(r.updatedAt),
  updatedBy: r.updatedBy,
});

/** A REST patch as the proto patch (amounts travel as int64 decimal strings). */
export function patchToProto(b: z.output<typeof PatchOpportunityBody>): pb.OpportunityPatch {
  const { amountMinor, customFields, ...rest } = b;
  return {
    ...rest,
    amountMinor: amountMinor === undefined ? undefined : String(amountMinor),
    customFields,
  };
}
