import {
  createChannel,
  createClientFactory,
  Metadata,
  type CallOptions,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition } from 'nice-grpc-server-health';
import { CallHeaders, RECONNECT, serviceIdentity, waitForReadyMiddleware } from '@crm/kit';
import {
  account,
  analytics,
  approval,
  customFields,
  lead,
  opportunity,
  type quote,
  type payment,
  serviceTicket,
  type serviceTicketQueues,
} from '@crm/proto';
import type { Actor } from './auth';

/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING (the enum is not re-exported by the package). */
const SERVING = 1;

/** A client of a backend service, with deadlines and google.rpc error details. */
export type ServiceClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions>;
export type LeadClient = ServiceClient<typeof lead.LeadServiceDefinition>;
/** Accounts, contacts and activities (one gRPC service in the account service). */
export type AccountClient = ServiceClient<typeof account.AccountServiceDefinition>;
/** Opportunities and the pipelines they move through (the opportunity service). */
export type OpportunityClient = ServiceClient<typeof opportunity.OpportunityServiceDefinition>;
export type PipelineClient = ServiceClient<typeof opportunity.PipelineServiceDefinition>;
/** Sales figures from the analytics service's read models. */
export type AnalyticsClient = ServiceClient<typeof analytics.AnalyticsServiceDefinition>;
export type ProductClient = ServiceClient<typeof quote.ProductServiceDefinition>;
export type QuoteClient = ServiceClient<typeof quote.QuoteServiceDefinition>;
export type PaymentClient = ServiceClient<typeof payment.PaymentServiceDefinition>;
/** The approval engine: requests, the approvers' inbox, policies and delegations (the approval service). */
export interface ApprovalClients {
  requests: ServiceClient<typeof approval.ApprovalRequestServiceDefinition>;
  inbox: ServiceClient<typeof approval.ApprovalInboxServiceDefinition>;
  policies: ServiceClient<typeof approval.ApprovalPolicyServiceDefinition>;
  delegations: ServiceClient<typeof approval.ApprovalDelegationServiceDefinition>;
}
/** Service tickets (the service-ticket service). */
export type TicketClient = ServiceClient<typeof serviceTicket.TicketServiceDefinition>;
/** Business calendars and SLA policies (the service-ticket service). */
export type SlaClient = ServiceClient<typeof serviceTicket.SlaServiceDefinition>;
/** Support queues and assignment rules (the service-ticket service). */
export type QueueClient = ServiceClient<typeof serviceTicketQueues.QueueServiceDefinition>;
/** Custom field definitions, hosted by each service for the entities it owns. */
export type CustomFieldClient = ServiceClient<typeof customFields.CustomFieldServiceDefinition>;

/**
 * The caller's verified bearer token and the request id, sent as gRPC metadata on every call; the
 * service verifies the token again and takes the caller from it. No actor, no token: refused there.
 */
export function identityMetadata(actor: Pick<Actor, 'token'> | undefined, requestId: string): Metadata {
  const md = Metadata();
  if (actor?.token) md.set(CallHeaders.authorization, `Bearer ${actor.token}`);
  md.set(CallHeaders.requestId, requestId);
  return md;
}

export function callOptions(
  actor: Pick<Actor, 'token'> | undefined,
  requestId: string,
  deadlineMs: number,
): CallOptions & DeadlineOptions {
  return { deadline: new Date(Date.now() + deadlineMs), metadata: identityMetadata(actor, requestId) };
}

/**
 * Call options for what the gateway asks on its own (the custom fields it describes in OpenAPI):
 * the token of its own client (KEYCLOAK_CLIENT_ID), never a user's.
 */
export async function ownCallOptions(
  requestId: string,
  deadlineMs: number,
): Promise<CallOptions & DeadlineOptions> {
  const own = serviceIdentity();
  return callOptions(own ? { token: await own.token() } : undefined, requestId, deadlineMs);
}

/** One backend service: its channel, clients on it, and its health. */
export interface ServiceConnection {
  name: string;
  /** A client for one of the service's gRPC services (several may share the channel). */
  client<D extends CompatServiceDefinition>(definition: D): ServiceClient<D>;
  /** Resolves true when the service answers grpc.health.v1 Check with SERVING within timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export function connectService(name: string, address: string): ServiceConnection {
  const channel: Channel = createChannel(address, undefined, RECONNECT);
  const factory = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .use(deadlineMiddleware)
    .use(waitForReadyMiddleware(channel));
  const health = createClientFactory().use(deadlineMiddleware).create(HealthDefinition, channel);
  return {
    name,
    client: (definition) => factory.create(definition, channel),
    async ready(timeoutMs) {
      try {
        const res = await health.check({ service: '' }, { deadline: new Date(Date.now() + timeoutMs) });
        return res.status === SERVING;
      } catch {
        return false;
      }
    },
    close: () => channel.close(),
  };
}
