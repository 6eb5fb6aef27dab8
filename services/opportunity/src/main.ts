import './telemetry';
import { runService } from '@crm/kit';
import { descriptorSet, opportunity as pb } from '@crm/proto';
import { Opportunities } from './application/opportunities';
import { Pipelines } from './application/pipelines';
import type { OpportunityPorts } from './application/ports';
import { opportunityGrpc, pipelineGrpc } from './grpc/opportunity.grpc';
import { registerModels } from './store/opportunity.model';
import { MongoOpportunityRepository, MongoPipelineRepository } from './store/opportunity.repository';

void runService({
  name: 'opportunity',
  grpcPort: 50053,
  dbName: 'crm_opportunity',
  descriptorSet: descriptorSet(),
  streams: [{ name: 'CRM_OPPORTUNITY', subjects: ['crm.opportunity.>'] }],
  async setup({ db, grpc, written }) {
    const models = registerModels(db);
    const byKind = { pipeline: models.Pipeline, opportunity: models.Opportunity };
    const ports: OpportunityPorts = {
      pipelines: new MongoPipelineRepository(models),
      opportunities: new MongoOpportunityRepository(models),
      written: (kind, id) => written(byKind[kind], id),
    };
    const pipelines = new Pipelines(ports);
    const opportunities = new Opportunities(ports, pipelines);
    grpc.server.add(pb.PipelineServiceDefinition, pipelineGrpc(pipelines));
    grpc.server.add(pb.OpportunityServiceDefinition, opportunityGrpc(opportunities));
    return {
      services: [pb.PipelineServiceDefinition.fullName, pb.OpportunityServiceDefinition.fullName],
      outboxModels: [models.Pipeline, models.Opportunity],
    };
  },
});
