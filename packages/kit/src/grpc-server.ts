import {
  createServer,
  type CallContext,
  type Server,
  type ServerAddBuilder,
  ServerError,
  Status,
} from 'nice-grpc';
import type { ServerMiddlewareCall } from 'nice-grpc-common';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { ActorHeaders, type Actor } from './actor';
import { toGrpcError } from './grpc-errors';
import type { Logger } from './logger';

export type { HealthState };

/** Reads the caller's identity the gateway put in metadata; a call without one is refused. */
export async function* actorMiddleware<Req, Res>(
  call: ServerMiddlewareCall<Req, Res, { actor: Actor; requestId: string }>,
  context: CallContext,
) {
  const userId = context.metadata.get(ActorHeaders.userId)?.toString();
  if (!userId) throw new ServerError(Status.UNAUTHENTICATED, 'missing caller identity');
  const list = (key: string) =>
    String(context.metadata.get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const actor: Actor = {
    userId,
    username: context.metadata.get(ActorHeaders.username)?.toString() ?? '',
    roles: list(ActorHeaders.roles),
    teams: list(ActorHeaders.teams),
  };
  const requestId = context.metadata.get(ActorHeaders.requestId)?.toString() ?? '';
  return yield* call.next(call.request, { ...context, actor, requestId });
}

/** Logs each call once, maps domain errors to statuses, hides unexpected errors behind INTERNAL. */
function observeMiddleware(logger: Logger, maxCallMs: number) {
  return async function* <Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    const started = performance.now();
    const requestId = context.metadata.get(ActorHeaders.requestId)?.toString();
    // A call never runs unbounded, even when the client sent no deadline.
    const timeout = AbortSignal.timeout(maxCallMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    try {
      const result = yield* call.next(call.request, { ...context, signal });
      logger.info(
        { method: call.method.path, ms: Math.round(performance.now() - started), requestId },
        'grpc call',
      );
      return result;
    } catch (err) {
      const mapped = err instanceof ServerError ? err : toGrpcError(err);
      const ms = Math.round(performance.now() - started);
      if (mapped) {
        logger.info({ method: call.method.path, ms, requestId, code: Status[mapped.code] }, mapped.details);
        throw mapped;
      }
      if (timeout.aborted) throw new ServerError(Status.DEADLINE_EXCEEDED, 'call took too long');
      logger.error({ method: call.method.path, ms, requestId, err }, 'grpc call failed');
      throw new ServerError(Status.INTERNAL, 'internal error');
    }
  };
}

export interface GrpcServerOptions {
  logger: Logger;
  maxCallMs: number;
  descriptorSet: Buffer;
}

export interface GrpcHost {
  /** Adds domain services behind the identity middleware (a call without a caller is refused). */
  server: ServerAddBuilder<{ actor: Actor; requestId: string }>;
  health: HealthState;
  /** Registers the health and reflection services; call after adding the domain services. */
  finish(serviceNames: string[]): void;
  plain: Server;
}

/** The server every service uses: error details, logging, call limit, identity, health and reflection. */
export function createGrpcServer(opts: GrpcServerOptions): GrpcHost {
  const plain = createServer({
    'grpc.max_receive_message_length': 32 * 1024 * 1024,
    // Clients keep one HTTP/2 connection to one pod: ending connections after a few minutes (calls in
    // flight finish) spreads callers over pods added by the autoscaler.
    'grpc.max_connection_age_ms': 5 * 60_000,
    'grpc.max_connection_age_grace_ms': 60_000,
  })
    .use(errorDetailsServerMiddleware)
    .use(observeMiddleware(opts.logger, opts.maxCallMs));
  const health = HealthState();
  // Not serving until the service says its dependencies are ready.
  health.setStatus('unhealthy');
  return {
    plain,
    server: plain.with(actorMiddleware),
    health,
    finish(serviceNames) {
      plain.add(HealthDefinition, HealthServiceImpl(health));
      // The descriptor set carries grpc/health/v1/health.proto too (packages/proto/vendor): without
      // it, reflection clients such as grpcurl list Health but cannot call it.
      plain.add(
        ServerReflectionService,
        ServerReflection(opts.descriptorSet, [...serviceNames, HealthDefinition.fullName]),
      );
    },
  };
}
