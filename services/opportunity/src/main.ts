import './telemetry';
import { runService, startAll } from '@crm/kit';
import { z } from 'zod';
import { descriptorSet, opportunity as pb } from '@crm/proto';
import { ApprovalOutcomes } from './application/approvals';
import { Opportunities } from './application/opportunities';
import { CLOSE_SUBJECT, LossReasons, OpportunityClosing } from './application/opportunity-closing';
import { Pipelines } from './application/pipelines';
import type { OpportunityPorts } from './application/ports';
import { followApprovalOutcomes } from './events/approval-events.consumer';
import { accountClient } from './grpc/account.client';
import { approvalClient } from './grpc/approval.client';
import { opportunityGrpc, pipelineGrpc } from './grpc/opportunity.grpc';
import { registerModels } from './store/opportunity.model';
import {
  MongoLossReasonsRepository,
  MongoOpportunityRepository,
  MongoPipelineRepository,
} from './store/opportunity.repository';

void runService({
  name: 'opportunity',
  grpcPort: 50053,
  dbName: 'crm_opportunity',
  descriptorSet: descriptorSet(),
  env: {
    /** The account service, asked whether a deal's account exists and is visible to the seller. */
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    /** The approval engine, asked before a deal is won (and for quotes and payments). */
    APPROVAL_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50054'),
  },
  streams: [{ name: 'CRM_OPPORTUNITY', subjects: ['crm.opportunity.>'] }],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    const byKind = { pipeline: models.Pipeline, opportunity: models.Opportunity };
    const ports: OpportunityPorts = {
      pipelines: new MongoPipelineRepository(models),
      opportunities: new MongoOpportunityRepository(models),
      lossReasons: new MongoLossReasonsRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      approvals: approvalClient(config.APPROVAL_GRPC_ADDR),
      written: (kind, id) => written(byKind[kind], id),
    };
    const pipelines = new Pipelines(ports);
    const opportunities = new Opportunities(ports, pipelines);
    // Outcomes of the approval engine, by the subject type this service asked about.
    const lossReasons = new LossReasons(ports);
    const closing = new OpportunityClosing(ports, pipelines, opportunities, lossReasons);
    const approvalOutcomes = new ApprovalOutcomes(
      { [CLOSE_SUBJECT]: (d) => closing.applyDecision(d) },
      logger,
    );
    grpc.server.add(pb.PipelineServiceDefinition, pipelineGrpc(pipelines));
    grpc.server.add(pb.OpportunityServiceDefinition, opportunityGrpc(opportunities, closing, lossReasons));
    return {
      services: [pb.PipelineServiceDefinition.fullName, pb.OpportunityServiceDefinition.fullName],
      outboxModels: [models.Pipeline, models.Opportunity],
      // CRM_APPROVAL is the approval service's stream: until it exists the host retries every 2 s.
      consumers: (nc) => startAll([followApprovalOutcomes(nc, db, approvalOutcomes, logger)]),
    };
  },
});
