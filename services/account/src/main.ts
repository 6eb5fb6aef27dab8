import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { runService, startAll } from '@crm/kit';
import {
  OWNERSHIP_STREAM,
  poolGrpc,
  RecordPool,
  takePartInTransfers,
  TransferCoordinator,
  transferGrpc,
} from '@crm/ownership';
import { account as pb, customFields as cfPb, descriptorSet, ownership } from '@crm/proto';
import { z } from 'zod';
import { AccountMerge } from './application/account-merge';
import { AccountOwnership } from './application/account-ownership';
import { AccountTiers } from './application/account-tiers';
import { Accounts } from './application/accounts';
import { Activities } from './application/activities';
import { Contacts } from './application/contacts';
import type { AccountPorts } from './application/ports';
import { followAccountSegments } from './events/account-segment.consumer';
import { accountGrpc } from './grpc/account.grpc';
import { leadClient } from './grpc/lead.client';
import { opportunityClient } from './grpc/opportunity.client';
import { accountPool, accountTransfers, movableAccounts, TRANSFER_ENTITIES } from './store/account-ownership';
import { MongoSettingsRepository } from './store/account-settings.repository';
import { registerModels } from './store/account.model';
import { accountKeys, MongoAccountRepository } from './store/account.repository';
import { MongoActivityRepository } from './store/activity.repository';
import { MongoContactRepository } from './store/contact.repository';

type Kind = 'account' | 'contact' | 'activity' | 'transfer';

void runService({
  name: 'account',
  grpcPort: 50052,
  dbName: 'crm_account',
  descriptorSet: descriptorSet(),
  env: {
    POOL_RELEASE_EVERY_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(60 * 60_000),
    /** How often accounts whose tier came from older tier rules are re-tiered (see AccountTiers). */
    RETIER_EVERY_MS: z.coerce.number().int().positive().default(30_000),
    /** Entity types some service moves in an ownership transfer (a joining service adds its own). */
    OWNERSHIP_ENTITIES: z.string().default(TRANSFER_ENTITIES.join(',')),
    /** The lead service, asked whether a lead an activity is logged on exists and is visible. */
    LEAD_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50051'),
    /** The opportunity service, asked whether a deal an activity is about exists, is visible and whose. */
    OPPORTUNITY_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50053'),
  },
  streams: [{ name: 'CRM_ACCOUNT', subjects: ['crm.account.>'] }, OWNERSHIP_STREAM],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    // byKind is complete before any write can happen (writes start once setup has returned).
    const kick = (kind: Kind, id?: string) => written(byKind[kind], id);
    // Custom fields of accounts and contacts: definitions in this database, validated on writes,
    // hosted over gRPC.
    const customFields = new CustomFields(db, ['account', 'contact']);
    await customFields.load();
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    const accountRepository = new MongoAccountRepository(models);
    const ports: AccountPorts = {
      accounts: accountRepository,
      contacts: new MongoContactRepository(models),
      activities: new MongoActivityRepository(models),
      settings: new MongoSettingsRepository(models),
      keys: accountKeys(models, accountRepository),
      customFields,
      written: (kind, id) => kick(kind, id),
      related: { lead: leadClient(config.LEAD_GRPC_ADDR) },
      opportunities: opportunityClient(config.OPPORTUNITY_GRPC_ADDR),
    };
    const accounts = new Accounts(ports);
    const merge = new AccountMerge(ports, accounts.changes);
    const tiers = new AccountTiers(ports, accounts.changes);
    const contacts = new Contacts(ports, accounts);
    const activities = new Activities(ports, accounts, contacts);
    const pool = new RecordPool(
      accountPool(models, db, (id) => kick('account', id), logger, accounts.changes.events),
    );
    const accountOwnership = new AccountOwnership(ports, accounts.changes, movableAccounts(models));
    const transfers = new TransferCoordinator(
      db,
      config.OWNERSHIP_ENTITIES.split(',')
        .map((e) => e.trim())
        .filter(Boolean),
      (id) => kick('transfer', id),
    );
    grpc.server.add(
      pb.AccountServiceDefinition,
      accountGrpc({ accounts, merge, tiers, contacts, activities, customFields }),
    );
    grpc.server.add(ownership.PoolServiceDefinition, poolGrpc([pool]));
    grpc.server.add(ownership.OwnershipTransferServiceDefinition, transferGrpc(transfers));
    const byKind = {
      account: models.Account,
      contact: models.Contact,
      activity: models.Activity,
      transfer: transfers.model,
    };
    return {
      services: [
        pb.AccountServiceDefinition.fullName,
        ownership.PoolServiceDefinition.fullName,
        ownership.OwnershipTransferServiceDefinition.fullName,
        cfPb.CustomFieldServiceDefinition.fullName,
      ],
      outboxModels: [models.Account, models.Contact, models.Activity, transfers.model],
      consumers: (nc) =>
        startAll([
          () => takePartInTransfers(nc, db, logger, 'account', accountTransfers(models, accountOwnership)),
          () => transfers.follow(nc, db, logger, 'account'),
          followAccountSegments(nc, db, tiers, logger),
        ]),
      schedules: [
        {
          name: 'pool-release:account',
          everyMs: config.POOL_RELEASE_EVERY_MS,
          run: () => pool.releaseInactive().then(() => undefined),
        },
        {
          // Tier rule changes reach existing accounts here; a failed run leaves them marked for the next.
          name: 'retier:account',
          everyMs: config.RETIER_EVERY_MS,
          run: () => tiers.retierStale().then(() => undefined),
        },
      ],
    };
  },
});
