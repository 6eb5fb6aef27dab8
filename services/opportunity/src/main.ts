import './telemetry';
import { runService } from '@crm/kit';
import { descriptorSet } from '@crm/proto';

void runService({
  name: 'opportunity',
  grpcPort: 50053,
  dbName: 'crm_opportunity',
  descriptorSet: descriptorSet(),
  streams: [{ name: 'CRM_OPPORTUNITY', subjects: ['crm.opportunity.>'] }],
  async setup() {
    // Skeleton: health, reflection and the audit service only; pipelines and opportunities join next.
    return { services: [], outboxModels: [] };
  },
});
