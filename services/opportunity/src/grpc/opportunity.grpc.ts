import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import { opportunity as pb } from '@crm/proto';
import type { Opportunities } from '../application/opportunities';
import type { LossReasons, OpportunityClosing } from '../application/opportunity-closing';
import type { Pipelines } from '../application/pipelines';
import type { OpportunityDoc } from '../store/opportunity.model';
import {
  fromProtoListRequest,
  fromProtoPatch,
  fromProtoStage,
  type ShownFields,
  toProtoLossReasons,
  toProtoOpportunity as toProtoDeal,
  toProtoPipeline,
} from './opportunity.mapper';

type Ctx = CallerContext;

/** proto <-> application only; the rules live in the domain and the use cases. */
export function pipelineGrpc(pipelines: Pipelines): pb.PipelineServiceImplementation<Ctx> {
  return {
    async listPipelines() {
      return { pipelines: (await pipelines.list()).map(toProtoPipeline) };
    },
    async getPipeline(req) {
      return toProtoPipeline(await pipelines.get(req.id));
    },
    async savePipeline(req, ctx) {
      const raw = { name: req.name, stages: req.stages.map(fromProtoStage) };
      return toProtoPipeline(
        await pipelines.save(
          req.id,
          expectedVersionOf(req.expectedVersion),
          raw,
          callerOf(ctx),
          req.moveDeals,
        ),
      );
    },
  };
}

export function opportunityGrpc(
  opportunities: Opportunities,
  closing: OpportunityClosing,
  lossReasons: LossReasons,
  shown: ShownFields,
): pb.OpportunityServiceImplementation<Ctx> {
  // Callers see the active custom fields only; events (the same mapper without `shown`) keep every value.
  const toProtoOpportunity = (o: OpportunityDoc) => toProtoDeal(o, shown);
  return {
    async createOpportunity(req, ctx) {
      const o = await opportunities.create(
        fromProtoPatch(req.fields),
        req.pipelineId,
        req.sourceLeadId,
        callerOf(ctx),
        req.creationKey,
      );
      return toProtoOpportunity(o);
    },
    async getOpportunity(req, ctx) {
      return toProtoOpportunity(await opportunities.get(req.id, callerOf(ctx)));
    },
    async listOpportunities(req, ctx) {
      const { opportunities: page, nextCursor } = await opportunities.list(
        fromProtoListRequest(req),
        callerOf(ctx),
      );
      return { opportunities: page.map(toProtoOpportunity), nextCursor };
    },
    async updateOpportunity(req, ctx) {
      const o = await opportunities.update(
        req.id,
        expectedVersionOf(req.expectedVersion),
        fromProtoPatch(req.patch),
        callerOf(ctx),
      );
      return toProtoOpportunity(o);
    },
    async moveStage(req, ctx) {
      const o = await opportunities.moveStage(
        req.id,
        expectedVersionOf(req.expectedVersion),
        req.stageKey,
        callerOf(ctx),
      );
      return toProtoOpportunity(o);
    },
    async closeOpportunity(req, ctx) {
      const r = await closing.close(
        req.id,
        expectedVersionOf(req.expectedVersion),
        { outcome: req.outcome, lossReason: req.lossReason, competitor: req.competitor },
        callerOf(ctx),
      );
      return { ...r, opportunity: toProtoOpportunity(r.opportunity) };
    },
    async reopenOpportunity(req, ctx) {
      const o = await closing.reopen(
        req.id,
        expectedVersionOf(req.expectedVersion),
        req.reason,
        callerOf(ctx),
      );
      return toProtoOpportunity(o);
    },
    async discardOpportunity(req, ctx) {
      return { discarded: await opportunities.discard(req.id, req.creationKey, callerOf(ctx)) };
    },
    async setDealTeam(req, ctx) {
      const o = await opportunities.setTeam(
        req.id,
        expectedVersionOf(req.expectedVersion),
        req.members,
        callerOf(ctx),
      );
      return toProtoOpportunity(o);
    },
    async getLossReasons() {
      return toProtoLossReasons(await lossReasons.get());
    },
    async putLossReasons(req, ctx) {
      const saved = await lossReasons.put(expectedVersionOf(req.expectedVersion), req.reasons, callerOf(ctx));
      return toProtoLossReasons(saved);
    },
  };
}
