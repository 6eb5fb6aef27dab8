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
import { RECONNECT } from '@crm/kit';
import { account, customFields, lead } from '@crm/proto';
import type { Actor } from './auth';

/** grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING (the enum is not re-exported by the package). */
const SERVING = 1;

/** A client of a backend service, with deadlines and google.rpc error details. */
export type ServiceClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions>;
export type LeadClient = ServiceClient<typeof lead.LeadServiceDefinition>;
/** Accounts, contacts and activities (one gRPC service in the account service). */
export type AccountClient = ServiceClient<typeof account.AccountServiceDefinition>;
/** Custom field definitions, hosted by each service for the entities it owns. */
export type CustomFieldClient = ServiceClient<typeof customFields.CustomFieldServiceDefinition>;

/** Caller identity and request id, sent as gRPC metadata on every call. */
export function identityMetadata(actor: Actor | undefined, requestId: string): Metadata {
  const md = Metadata();
  const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
  if (actor) {
    md.set('x-crm-user-id', clean(actor.userId));
    md.set('x-crm-username', clean(actor.username));
    md.set('x-crm-roles', actor.roles.map(clean).join(','));
    md.set('x-crm-teams', actor.teams.map(clean).join(','));
  }
  md.set('x-request-id', requestId);
  return md;
}

export function callOptions(
  actor: Actor | undefined,
  requestId: string,
  deadlineMs: number,
): CallOptions & DeadlineOptions {
  return { deadline: new Date(Date.now() + deadlineMs), metadata: identityMetadata(actor, requestId) };
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
  const factory = createClientFactory().use(errorDetailsClientMiddleware).use(deadlineMiddleware);
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
