import { ValidationError } from '@crm/kit';
import { opportunity as pb } from '@crm/proto';
import type { RawStage } from '../domain/pipeline';
import type { OpportunityListRequest, OpportunityPatch } from '../application/opportunities';
import type { LossReasonsDoc, OpportunityDoc, PipelineDoc } from '../store/opportunity.model';

export function toProtoPipeline(p: PipelineDoc): pb.Pipeline {
  return {
    id: p._id,
    version: String(p.version),
    name: p.name,
    stages: p.stages.map((s) => ({ ...s, exitCriteria: [...s.exitCriteria] })),
    isDefault: p.isDefault,
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
  };
}

/** Stored custom field values as readers see them: archived fields left out (CustomFields.visibleNow). */
export type ShownFields = (values: unknown) => Record<string, unknown>;
const everyField: ShownFields = (v) => ({ ...(v as Record<string, unknown>) });

/** Events carry every stored value; readers get what `shown` keeps. */
export function toProtoOpportunity(o: OpportunityDoc, shown: ShownFields = everyField): pb.Opportunity {
  return {
    id: o._id,
    version: String(o.version),
    name: o.name,
    accountId: o.accountId,
    primaryContactId: o.primaryContactId,
    decisionMakerContactId: o.decisionMakerContactId,
    amountMinor: String(o.amountMinor),
    currency: o.currency,
    expectedCloseDate: o.expectedCloseDate,
    ownerId: o.ownerId,
    teamId: o.teamId,
    sourceLeadId: o.sourceLeadId,
    pipelineId: o.pipelineId,
    stageKey: o.stageKey,
    nextStep: o.nextStep,
    stageEnteredAt: o.stageEnteredAt,
    stageHistory: o.stageHistory.map((m) => ({ ...m })),
    forecastChanges: o.forecastChanges.map((c) => ({ ...c })),
    createdAt: o.createdAt,
    createdBy: o.createdBy,
    updatedAt: o.updatedAt,
    updatedBy: o.updatedBy,
    status: o.status,
    pendingCloseApprovalId: o.pendingCloseApprovalId,
    closedAt: o.closedAt ?? undefined,
    closedBy: o.closedBy,
    lossReason: o.lossReason,
    competitor: o.competitor,
    closeHistory: o.closeHistory.map((e) => ({ ...e })),
    teamMembers: o.teamMembers.map((m) => ({ userId: m.userId, role: m.role })),
    customFields: shown(o.customFields ?? {}),
  };
}

export function toProtoLossReasons(r: LossReasonsDoc): pb.LossReasons {
  return {
    version: String(r.version),
    reasons: r.reasons.map((x) => ({ key: x.key, name: x.name })),
    updatedAt: r.updatedAt ?? undefined,
    updatedBy: r.updatedBy,
  };
}

export const fromProtoStage = (s: pb.Stage): RawStage => ({ ...s, exitCriteria: [...s.exitCriteria] });

/** An int64 amount (a decimal string on the wire) as a safe integer; anything else is bad input. */
function minorUnits(s: string, field = 'amountMinor'): number {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n))
    throw new ValidationError([{ field, description: 'must be a whole, non-negative number' }]);
  return n;
}

export function fromProtoListRequest(r: pb.ListOpportunitiesRequest): OpportunityListRequest {
  const { amountMinMinor: min, amountMaxMinor: max, ...rest } = r;
  return {
    ...rest,
    amountMinMinor: min === undefined ? undefined : minorUnits(min, 'amountMinMinor'),
    amountMaxMinor: max === undefined ? undefined : minorUnits(max, 'amountMaxMinor'),
  };
}

export function fromProtoPatch(p: pb.OpportunityPatch | undefined): OpportunityPatch {
  const { amountMinor, ...rest } = p ?? {};
  return { ...rest, amountMinor: amountMinor === undefined ? undefined : minorUnits(amountMinor) };
}
