import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { type InsertedOutbox, runService, startAll } from '@crm/kit';
import { OWNERSHIP_STREAM, poolGrpc, RecordPool, takePartInTransfers } from '@crm/ownership';
import { customFields as cfPb, descriptorSet, lead as pb, ownership } from '@crm/proto';
import { z } from 'zod';
import { OPEN_STATUSES } from './domain/lead';
import { LeadActivity } from './application/lead-activity';
import { LeadConversions } from './application/lead-conversion';
import { LeadImport } from './application/lead-import';
import { LeadRouting } from './application/lead-routing';
import { LeadSettings } from './application/lead-settings';
import { Leads } from './application/leads';
import { followAccountEvents } from './events/account-events.consumer';
import { accountClient } from './grpc/account.client';
import { opportunityClient } from './grpc/opportunity.client';
import { leadGrpc } from './grpc/lead.grpc';
import { MongoConversionRepository } from './store/lead-conversion.repository';
import { leadPool, leadTransfer } from './store/lead-ownership';
import { MongoSettingsRepository } from './store/lead-settings.repository';
import { registerModels } from './store/lead.model';
import { leadDuplicateKeys, MongoLeadRepository } from './store/lead.repository';

void runService({
  name: 'lead',
  grpcPort: 50051,
  dbName: 'crm_lead',
  descriptorSet: descriptorSet(),
  env: {
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    /** The opportunity service: a conversion may open a deal (its saga's opportunity step). */
    OPPORTUNITY_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50053'),
    POOL_RELEASE_EVERY_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(60 * 60_000),
  },
  streams: [{ name: 'CRM_LEAD', subjects: ['crm.lead.>'] }, OWNERSHIP_STREAM],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    const kick = (id?: string, inserted?: InsertedOutbox) => written(models.Lead, id, inserted);
    // Custom fields of leads: definitions in this database, validated on writes, hosted over gRPC.
    const customFields = new CustomFields(db, ['lead']);
    await customFields.load();
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    const leadFields = { fields: () => customFields.fields('lead') };

    const repository = new MongoLeadRepository(models);
    const settingsRepository = new MongoSettingsRepository(models);
    const routing = new LeadRouting(repository, settingsRepository);
    const deps = {
      leads: repository,
      keys: leadDuplicateKeys(models),
      routing,
      customFields: leadFields,
      written: kick,
    };
    const leads = new Leads(deps);
    const conversions = new LeadConversions({
      leads,
      repository,
      conversions: new MongoConversionRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      opportunities: opportunityClient(config.OPPORTUNITY_GRPC_ADDR),
      written: kick,
      logger,
    });
    const activity = new LeadActivity(repository);
    const pool = new RecordPool(leadPool(models, db, kick, logger));
    grpc.server.add(
      pb.LeadServiceDefinition,
      leadGrpc({
        leads,
        imports: new LeadImport(deps),
        settings: new LeadSettings(settingsRepository),
        conversions,
        shown: (values) => customFields.visibleNow('lead', values),
      }),
    );
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
          ...followAccountEvents(nc, db, activity, logger),
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
