import { connectivityState } from '@grpc/grpc-js';
import {
  ClientError,
  createChannel,
  createClientFactory,
  Metadata,
  Status,
  waitForChannelReady,
  type CallOptions,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import type { ClientMiddleware, ClientMiddlewareCall } from 'nice-grpc-common';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { type Actor, CallHeaders } from './actor';
import { serviceIdentity, type ServiceIdentity } from './service-identity';

/**
 * Reconnect soon after a peer comes back: grpc-js backs off up to 2 minutes by default, which keeps
 * calls failing long after a restarted service is ready again.
 */
export const RECONNECT = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

/**
 * How long a call waits for its channel to (re)connect: twice the longest reconnect backoff (jitter adds 20%),
 * so a peer that has just restarted is reached; a call to a peer that is really down fails after it
 * (a 503 for the user within seconds, not at once: the price of not failing every call during a restart).
 */
export const READY_GRACE_MS = 4000;

/**
 * Wait-for-ready for nice-grpc, which cannot pass grpc-js's per-call flag: a call made while the
 * channel is connecting or backing off waits (up to `graceMs`, never past the call's deadline) instead
 * of failing at once with UNAVAILABLE. Use it after the deadline middleware (nice-grpc runs the last
 * one used first), so it sees the deadline; the deadline stays absolute, so the wait counts against it.
 */
export function waitForReadyMiddleware(
  channel: Channel,
  graceMs = READY_GRACE_MS,
): ClientMiddleware<DeadlineOptions, DeadlineOptions> {
  return async function* waitForReady(call, options) {
    const deadline =
      typeof options.deadline === 'number' ? new Date(Date.now() + options.deadline) : options.deadline;
    if (channel.getConnectivityState(true) !== connectivityState.READY) {
      const graceEnd = Date.now() + graceMs;
      const until = deadline && deadline.getTime() < graceEnd ? deadline : new Date(graceEnd);
      // Not ready in time: the call goes out and fails as it would have without the wait.
      await waitForChannelReady(channel, until).catch(() => undefined);
      if (deadline && Date.now() >= deadline.getTime())
        throw new ClientError(
          call.method.path,
          Status.DEADLINE_EXCEEDED,
          'Deadline exceeded waiting to connect',
        );
    }
    return yield* call.next(call.request, { ...options, deadline });
  };
}

export type ServiceClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions>;

/**
 * A call that carries no user's token goes out with the service's own (client credentials): work
 * the service does on its own, such as a conversion resumed after a restart. Without an identity
 * (package tests) the call goes out as it is and the other side refuses it.
 */
export function serviceTokenMiddleware(identity: () => ServiceIdentity | undefined = serviceIdentity) {
  return async function* <Req, Res>(call: ClientMiddlewareCall<Req, Res>, options: CallOptions) {
    const metadata = Metadata(options.metadata);
    const own = identity();
    if (!metadata.has(CallHeaders.authorization) && own)
      metadata.set(CallHeaders.authorization, `Bearer ${await own.token()}`);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

/** A client for another service, with deadlines, google.rpc error details and a bearer token. */
export function serviceClient<D extends CompatServiceDefinition>(
  definition: D,
  address: string,
): { client: ServiceClient<D>; close: () => void } {
  const channel: Channel = createChannel(address, undefined, RECONNECT);
  const client = createClientFactory()
    .use(errorDetailsClientMiddleware)
    .use(deadlineMiddleware)
    .use(waitForReadyMiddleware(channel))
    .use(serviceTokenMiddleware())
    .create(definition, channel);
  return { client, close: () => channel.close() };
}

/**
 * Call options that carry the original caller's token, so the called service applies the same access
 * rules. An actor without a token (a stored one, or the service itself) gets the service's token.
 */
export function onBehalfOf(actor: Actor, requestId: string, timeoutMs = 5000) {
  const md = Metadata();
  if (actor.token) md.set(CallHeaders.authorization, `Bearer ${actor.token}`);
  md.set(CallHeaders.requestId, requestId);
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
