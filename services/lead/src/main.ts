import './telemetry';
import { runService } from '@crm/kit';
import { descriptorSet, lead as pb } from '@crm/proto';
import { leadGrpc } from './grpc/lead.grpc';
import { registerModels } from './store/lead.model';
import { LeadStore } from './store/lead.store';

let kick: (leadId?: string) => void = () => undefined;

void runService({
  name: 'lead',
  grpcPort: 50051,
  dbName: 'crm_lead',
  descriptorSet: descriptorSet(),
  streams: [{ name: 'CRM_LEAD', subjects: ['crm.lead.>'] }],
  async setup({ db, grpc }) {
    const models = registerModels(db);
    const store = new LeadStore(models, (id) => kick(id));
    grpc.server.add(pb.LeadServiceDefinition, leadGrpc(store));
    return {
      services: [pb.LeadServiceDefinition.fullName],
      outboxModels: [models.Lead],
      onReady: (relay) => (kick = (id) => relay.kick(models.Lead, id)),
    };
  },
}).catch((err: Error) => {
  console.error(JSON.stringify({ level: 'fatal', service: 'lead', msg: err.message }));
  process.exit(1);
});
