import type { Logger } from 'pino';
import type { audit, ownership } from '@crm/proto';
import type { CustomFieldEntity } from './custom-fields/schemas';
import type {
  AccountClient,
  AnalyticsClient,
  ApprovalClients,
  CustomFieldClient,
  LeadClient,
  OpportunityClient,
  PipelineClient,
  ProductClient,
  QuoteClient,
  PaymentClient,
  QueueClient,
  ServiceClient,
  SlaClient,
  TicketClient,
} from './grpc';
import type { IdempotencyStore } from './http/idempotency';
import type { Rpc } from './http/rpc';
import type { UserDirectory } from './users/directory';

/** The backend clients the gateway's routes call; a new service adds its client here. */
export interface Clients {
  lead: LeadClient;
  /** Accounts, contacts and activities. */
  account: AccountClient;
  opportunity: OpportunityClient;
  pipeline: PipelineClient;
  analytics: AnalyticsClient;
  product: ProductClient;
  quote: QuoteClient;
  approval: ApprovalClients;
  serviceTicket: TicketClient;
  sla: SlaClient;
  /** The public pool of each record type, served by the service that owns the type. */
  pool: Partial<
    Record<'lead' | 'account' | 'opportunity', ServiceClient<typeof ownership.PoolServiceDefinition>>
  >;
  transfers: ServiceClient<typeof ownership.OwnershipTransferServiceDefinition>;
  /** Custom field definitions by entity, each served by the service that owns the entity. */
  customFields: Partial<Record<CustomFieldEntity, CustomFieldClient>>;
  /** The audit log of every service, by service name (each keeps its own). */
  audit: Record<string, ServiceClient<typeof audit.AuditServiceDefinition>>;
  /** Payment milestones of deals (the opportunity service). */
  payment: PaymentClient;
  /** Support queues and ticket assignment rules. */
  queues: QueueClient;
}

/** What every route module (leads, accounts, ...) is built from. */
export interface RouteDeps {
  clients: Clients;
  users: UserDirectory;
  rpc: Rpc;
  idempotency: IdempotencyStore;
  importBodyLimit: string;
  grpcDeadlineMs: number;
  logger: Logger;
  /** Deadline of each part of the account overview (OVERVIEW_PART_TIMEOUT_MS); default 1500. */
  overviewPartTimeoutMs?: number;
  /** Where customers reach the gateway (PUBLIC_BASE_URL), for links handed out; default: the caller's address. */
  publicBaseUrl?: string;
}
