import './telemetry';
import { CustomFields } from '@crm/custom-fields';
import { runService } from '@crm/kit';
import { z } from 'zod';
import { customFields as cfPb, descriptorSet, serviceTicket as pb } from '@crm/proto';
import type { TicketPorts } from './application/ports';
import { Tickets } from './application/tickets';
import { accountClient } from './grpc/account.client';
import { ticketGrpc } from './grpc/ticket.grpc';
import { registerModels } from './store/ticket.model';
import { MongoTicketRepository } from './store/ticket.repository';

void runService({
  name: 'service-ticket',
  grpcPort: 50055,
  dbName: 'crm_service_ticket',
  descriptorSet: descriptorSet(),
  env: {
    /** The account service, asked whether a ticket's account and contact exist. */
    ACCOUNT_GRPC_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  },
  streams: [{ name: 'CRM_SERVICE_TICKET', subjects: ['crm.serviceticket.>'] }],
  async setup({ db, grpc, config, written }) {
    const models = registerModels(db);
    const customFields = new CustomFields(db, ['ticket']);
    await customFields.load();
    const ports: TicketPorts = {
      tickets: new MongoTicketRepository(models),
      accounts: accountClient(config.ACCOUNT_GRPC_ADDR),
      customFields,
      written: (id) => written(models.Ticket, id),
    };
    const tickets = new Tickets(ports);
    grpc.server.add(cfPb.CustomFieldServiceDefinition, customFields.grpc());
    grpc.server.add(
      pb.TicketServiceDefinition,
      ticketGrpc(tickets, (v) => customFields.visibleNow('ticket', v)),
    );
    return {
      services: [pb.TicketServiceDefinition.fullName, cfPb.CustomFieldServiceDefinition.fullName],
      outboxModels: [models.Ticket],
    };
  },
});
