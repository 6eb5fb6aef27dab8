import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { runService, startAll } from '@crm/kit';
import { OWNERSHIP_STREAM, poolGrpc, RecordPool, takePartInTransfers } from '@crm/ownership';
import { customFields as cfPb, descriptorSet, lead as pb, ownership } from '@crm/proto';
import { z } from 'zod';
import { OPEN_STATUSES } from './domain/lead';
import { followAccountEvents } from './events/account-events.consumer';
import { accountClient } from './grpc/account.client';
import { leadGrpc } from './grpc/lead.grpc';
import { leadPool, leadTransfer } from './store/lead-ownership';
import { LeadConversions } from './store/lead-conversion.store';
import { useLeadCustomFields } from './store/lead-custom-fields';
import { registerModels } from './store/lead.model';
import { LeadStore } from './store/lead.store';

void runService({
  name: 'lead',
  grpcPort: 50051,
  dbName: 'crm_lead',
  descriptorSet: descriptorSet(),
  env: {
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    POOL_RELEASE_EVERY_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(60 * 60_000),
  },
  streams: [{ name: 'CRM_LEAD', subjects: ['crm.lead.>'] }, OWNERSHIP_STREAM],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    const kick = (id?: string) => written(models.Lead, id);
    // Custom fields of leads: definitions in this database, validated on writes, hosted over gRPC.
    const customFields = new CustomFields(db, ['lead']);
    await customFields.load();
    useLeadCustomFields(customFields);
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    const store = new LeadStore(models, (id) => kick(id));
    const conversions = new LeadConversions(
      models,
      store,
      accountClient(config.ACCOUNT_GRPC_ADDR),
      (id) => kick(id),
      logger,
    );
    const pool = new RecordPool(leadPool(models, db, (id) => kick(id), logger));
    grpc.server.add(pb.LeadServiceDefinition, leadGrpc(store, conversions));
    grpc.server.add(ownership.PoolServiceDefinition, poolGrpc([pool]));
    return {
      services: [
        pb.LeadServiceDefinition.fullName,
        ownership.PoolServiceDefinition.fullName,
        cfPb.CustomFieldServiceDefinition.fullName,
      ],
      outboxModels: [models.Lead],
      consumers: (nc) =>
        startAll([
          ...followAccountEvents(nc, db, models, logger),
          () => takePartInTransfers(nc, db, logger, 'lead', [leadTransfer(models, OPEN_STATUSES)]),
        ]),
      schedules: [
        {
          name: 'lead-conversion-recovery',
          everyMs: 30_000,
          run: () => conversions.resumeStalled().then(() => undefined),
        },
        {
          name: 'pool-release:lead',
          everyMs: config.POOL_RELEASE_EVERY_MS,
          run: () => pool.releaseInactive().then(() => undefined),
        },
      ],
    };
  },
});
