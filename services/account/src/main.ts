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
import { accountGrpc } from './grpc/account.grpc';
import { useAccountCustomFields } from './store/account-custom-fields';
import { accountPool, accountTransfers, TRANSFER_ENTITIES } from './store/account-ownership';
import { registerModels } from './store/account.model';
import { AccountStore } from './store/account.store';
import { ActivityStore } from './store/activity.store';
import { ContactStore } from './store/contact.store';

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
    /** Entity types some service moves in an ownership transfer (a joining service adds its own). */
    OWNERSHIP_ENTITIES: z.string().default(TRANSFER_ENTITIES.join(',')),
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
    useAccountCustomFields(customFields);
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    const onWrite = (kind: Kind, id?: string) => kick(kind, id);
    const accounts = new AccountStore(models, onWrite);
    const contacts = new ContactStore(accounts, onWrite);
    const activities = new ActivityStore(accounts, contacts, onWrite);
    const pool = new RecordPool(accountPool(models, db, (id) => kick('account', id), logger));
    const transfers = new TransferCoordinator(
      db,
      config.OWNERSHIP_ENTITIES.split(',')
        .map((e) => e.trim())
        .filter(Boolean),
      (id) => kick('transfer', id),
    );
    grpc.server.add(pb.AccountServiceDefinition, accountGrpc({ accounts, contacts, activities }));
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
          () => takePartInTransfers(nc, db, logger, 'account', accountTransfers(models)),
          () => transfers.follow(nc, db, logger, 'account'),
        ]),
      schedules: [
        {
          name: 'pool-release:account',
          everyMs: config.POOL_RELEASE_EVERY_MS,
          run: () => pool.releaseInactive().then(() => undefined),
        },
      ],
    };
  },
});
