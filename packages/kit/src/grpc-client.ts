import {
  ClientError,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { type Actor, ActorHeaders } from './actor';

/**
 * Reconnect soon after a peer comes back: grpc-js backs off up to 2 minutes by default, which keeps
 * calls failing long after a restarted service is ready again.
 */
export const RECONNECT = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

export type ServiceClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions>;

/** A client for another service, with deadlines and google.rpc error details. */
export function serviceClient<D extends CompatServiceDefinition>(
  definition: D,
  address: string,
): { client: ServiceClient<D>; close: () => void } {
  const channel: Channel = createChannel(address, undefined, RECONNECT);
  const client = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .use(deadlineMiddleware)
    .create(definition, channel);
  return { client, close: () => channel.close() };
}

/** Call options that carry the original caller, so the called service applies the same access rules. */
export function onBehalfOf(actor: Actor, requestId: string, timeoutMs = 5000) {
  const md = Metadata();
  md.set(ActorHeaders.userId, actor.userId);
  md.set(ActorHeaders.username, actor.username);
  md.set(ActorHeaders.roles, actor.roles.join(','));
  md.set(ActorHeaders.teams, actor.teams.join(','));
  md.set(ActorHeaders.requestId, requestId);
  return { metadata: md, deadline: new Date(Date.now() + timeoutMs) };
}

/** A failure a retry may cure: the other side is away, overloaded or too slow. */
export function isTransientGrpcError(err: unknown): boolean {
  if (!(err instanceof ClientError)) return true; // connection-level trouble surfaces as other errors
  return [
    Status.UNAVAILABLE,
    Status.DEADLINE_EXCEEDED,
    Status.CANCELLED,
    Status.RESOURCE_EXHAUSTED,
    Status.ABORTED,
    Status.INTERNAL,
    Status.UNKNOWN,
  ].includes(err.code);
}
