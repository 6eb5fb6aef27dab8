import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { opportunityEvents as pb } from '@crm/proto';
import type { StageMove } from '../domain/opportunity';
import { toProtoOpportunity, toProtoPipeline } from '../grpc/opportunity.mapper';
import type { OpportunityDoc, PipelineDoc } from '../store/opportunity.model';

const entry = eventPackage<'opportunity' | 'pipeline'>('crm.opportunity.v1');

/**
 * Outbox entries of the opportunity service's events: subjects are the full proto names
 * (crm.opportunity.v1.OpportunityCreated), all in the stream CRM_OPPORTUNITY (crm.opportunity.>).
 */
export const opportunityEvents = {
  created(o: OpportunityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.OpportunityCreated.encode({ opportunity: toProtoOpportunity(o) }).finish();
    return entry('OpportunityCreated', payload, 'opportunity', o, actor, requestId);
  },
  updated(o: OpportunityDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.OpportunityUpdated.encode({
      opportunity: toProtoOpportunity(o),
      changedFields,
    }).finish();
    return entry('OpportunityUpdated', payload, 'opportunity', o, actor, requestId);
  },
  stageChanged(
    o: OpportunityDoc,
    move: StageMove,
    forecastCategory: string,
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityStageChanged.encode({
      opportunity: toProtoOpportunity(o),
      fromStage: move.fromStage,
      toStage: move.toStage,
      daysInStage: move.daysInStage,
      forecastCategory,
    }).finish();
    return entry('OpportunityStageChanged', payload, 'opportunity', o, actor, requestId);
  },
  amountChanged(o: OpportunityDoc, before: OpportunityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.OpportunityAmountChanged.encode({
      opportunity: toProtoOpportunity(o),
      previousAmountMinor: String(before.amountMinor),
      previousCurrency: before.currency,
    }).finish();
    return entry('OpportunityAmountChanged', payload, 'opportunity', o, actor, requestId);
  },
  closeRequested(o: OpportunityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.OpportunityCloseRequested.encode({
      opportunity: toProtoOpportunity(o),
      approvalRequestId: o.pendingCloseApprovalId,
    }).finish();
    return entry('OpportunityCloseRequested', payload, 'opportunity', o, actor, requestId);
  },
  won(
    o: OpportunityDoc,
    won: { fromStage: string; daysToClose: number; approvalRequestId: string; approvedBy: string },
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityWon.encode({ opportunity: toProtoOpportunity(o), ...won }).finish();
    return entry('OpportunityWon', payload, 'opportunity', o, actor, requestId);
  },
  lost(
    o: OpportunityDoc,
    lost: { fromStage: string; daysToClose: number },
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityLost.encode({ opportunity: toProtoOpportunity(o), ...lost }).finish();
    return entry('OpportunityLost', payload, 'opportunity', o, actor, requestId);
  },
  closeRejected(
    o: OpportunityDoc,
    rejected: { approvalRequestId: string; outcome: string; decidedBy: string },
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityCloseRejected.encode({
      opportunity: toProtoOpportunity(o),
      ...rejected,
    }).finish();
    return entry('OpportunityCloseRejected', payload, 'opportunity', o, actor, requestId);
  },
  reopened(
    o: OpportunityDoc,
    reopened: { previousStatus: string; fromStage: string; reason: string },
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityReopened.encode({
      opportunity: toProtoOpportunity(o),
      ...reopened,
    }).finish();
    return entry('OpportunityReopened', payload, 'opportunity', o, actor, requestId);
  },
  teamChanged(
    o: OpportunityDoc,
    change: { added: string[]; removed: string[] },
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = pb.OpportunityTeamChanged.encode({
      opportunity: toProtoOpportunity(o),
      ...change,
    }).finish();
    return entry('OpportunityTeamChanged', payload, 'opportunity', o, actor, requestId);
  },
  discarded(o: OpportunityDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.OpportunityDiscarded.encode({ opportunity: toProtoOpportunity(o) }).finish();
    return entry('OpportunityDiscarded', payload, 'opportunity', o, actor, requestId);
  },
  pipelineSaved(p: PipelineDoc, actor: Actor, requestId: string): OutboxEntry {
    const payload = pb.PipelineSaved.encode({ pipeline: toProtoPipeline(p) }).finish();
    return entry('PipelineSaved', payload, 'pipeline', p, actor, requestId);
  },
};
