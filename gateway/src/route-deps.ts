import type { Logger } from 'pino';
import type { LeadClient } from './grpc';
import type { IdempotencyStore } from './http/idempotency';
import type { Rpc } from './http/rpc';

/** The backend clients the gateway's routes call; a new service adds its client here. */
export interface Clients {
  lead: LeadClient;
}

/** What every route module (leads, accounts, ...) is built from. */
export interface RouteDeps {
  clients: Clients;
  rpc: Rpc;
  idempotency: IdempotencyStore;
  importBodyLimit: string;
  grpcDeadlineMs: number;
  logger: Logger;
}
