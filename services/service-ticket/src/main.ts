import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { followAccountMerges, runService, startAll } from '@crm/kit';
import { z } from 'zod';
import {
  customFields as cfPb,
  descriptorSet,
  serviceTicket as pb,
  serviceTicketQueues as queuePb,
} from '@crm/proto';
import type { TicketPorts } from './application/ports';
import { AccountFollow, AccountMergeFollow } from './application/account-follow';
import { BulkActions } from './application/bulk-actions';
import { ServiceSettingsAdmin } from './application/service-settings';
import { Queues } from './application/queues';
import { SlaSettings } from './application/sla-settings';
import { TicketMerge } from './application/ticket-merge';
import { SlaTimers } from './application/sla-timers';
import { Tickets } from './application/tickets';
import { followAccountOwners } from './events/account-owner.consumer';
import { accountClient } from './grpc/account.client';
import { queueGrpc } from './grpc/queue.grpc';
import { slaGrpc, ticketGrpc } from './grpc/ticket.grpc';
import { registerQueueModels } from './store/queue.model';
import {
  MongoOpenLoad,
  MongoQueueRepository,
  MongoRulesRepository,
  MongoTurnLog,
} from './store/queue.repository';
import { registerModels } from './store/ticket.model';
import { confirmationTokens } from './tokens/confirmation-token';
import { MongoSettingsRepository, MongoTicketRepository } from './store/ticket.repository';

void runService({
  name: 'service-ticket',
  grpcPort: 50055,
  dbName: 'crm_service_ticket',
  descriptorSet: descriptorSet(),
  env: {
    /** The account service, asked whether a ticket's account and contact exist. */
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
    /** How often the SLA timer looks for warnings and breaches that came due. */
    SLA_CHECK_EVERY_MS: z.coerce.number().int().min(1000).default(15_000),
    /** Key of the customers' confirmation links; empty: derived from SERVICE_CLIENT_SECRET. */
    CONFIRMATION_SECRET: z.string().default(''),
    /**
     * The closed loop, in days: how long a link works, auto-close without an answer, the reopen window.
     * Defaults until a support manager saves the service settings (/api/v1/service-settings).
     */
    CONFIRMATION_LINK_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    AUTO_CLOSE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    REOPEN_WINDOW_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  },
  streams: [{ name: 'CRM_SERVICE_TICKET', subjects: ['crm.serviceticket.>'] }],
  async setup({ db, grpc, config, logger, written }) {
    const models = registerModels(db);
    const customFields = new CustomFields(db, ['ticket']);
    await customFields.load();
    const ports: TicketPorts = {
      tickets: new MongoTicketRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      calendars: new MongoSettingsRepository(models.Calendar),
      policies: new MongoSettingsRepository(models.Policy),
      customFields,
      confirmations: confirmationTokens(config.CONFIRMATION_SECRET || config.SERVICE_CLIENT_SECRET),
      closedLoop: {
        confirmationLinkDays: config.CONFIRMATION_LINK_DAYS,
        autoCloseDays: config.AUTO_CLOSE_DAYS,
        reopenWindowDays: config.REOPEN_WINDOW_DAYS,
      },
      written: (id) => written(models.Ticket, id),
      serviceSettings: new MongoSettingsRepository(models.ServiceSettings),
      settingsWritten: (id) => written(models.ServiceSettings, id),
    };
    const settings = new SlaSettings(ports);
    await settings.seed();
    const queueModels = registerQueueModels(db);
    const queues = new Queues({
      queues: new MongoQueueRepository(queueModels),
      rules: new MongoRulesRepository(queueModels),
      turns: new MongoTurnLog(queueModels),
      load: new MongoOpenLoad(models),
      written: (key) => written(queueModels.Queue, key),
    });
    await queues.seed();
    const tickets = new Tickets(ports, settings, queues);
    const timers = new SlaTimers(ports, queues);
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    grpc.server.add(
      pb.TicketServiceDefinition,
      ticketGrpc(tickets, settings, (v) => customFields.visibleNow('ticket', v), {
        merge: new TicketMerge(tickets, ports),
        bulk: new BulkActions(tickets),
      }),
    );
    grpc.server.add(pb.SlaServiceDefinition, slaGrpc(settings, new ServiceSettingsAdmin(ports)));
    grpc.server.add(queuePb.QueueServiceDefinition, queueGrpc(queues));
    return {
      services: [
        pb.TicketServiceDefinition.fullName,
        pb.SlaServiceDefinition.fullName,
        cfPb.CustomFieldServiceDefinition.fullName,
        queuePb.QueueServiceDefinition.fullName,
      ],
      outboxModels: [models.Ticket, queueModels.Queue, models.ServiceSettings],
      // CRM_ACCOUNT is the account service's stream: until it exists the host retries every 2 s.
      consumers: (nc) =>
        startAll([
          followAccountOwners(nc, db, new AccountFollow(ports), logger),
          followAccountMerges(nc, db, logger, {
            durable: 'service-ticket-accounts-merged',
            records: 'tickets',
            follow: (merged, survivor, actor, requestId) =>
              new AccountMergeFollow(ports).follow(merged, survivor, actor, requestId),
          }),
        ]),
      schedules: [
        {
          name: 'sla-timers',
          everyMs: config.SLA_CHECK_EVERY_MS,
          run: async (now: Date) => void (await timers.run(now)),
        },
        {
          name: 'auto-close',
          everyMs: 60_000,
          run: async (now: Date) => void (await tickets.autoClose(now)),
        },
      ],
    };
  },
});
