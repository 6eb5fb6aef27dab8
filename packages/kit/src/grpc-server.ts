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
import { type TokenVerifier } from './access-token';
import { CallHeaders, type Actor } from './actor';
import { toGrpcError } from './grpc-errors';
import type { Logger } from './logger';

export type { HealthState };

/**
 * The caller is whoever the bearer token in the `authorization` metadata speaks for, once verified;
 * nothing else in the metadata says who calls. A call without a valid token is UNAUTHENTICATED.
 */
export function actorMiddleware(verify: TokenVerifier) {
  return async function* <Req, Res>(
    call: ServerMiddlewareCall<Req, Res, { actor: Actor; requestId: string }>,
    context: CallContext,
  ) {
    const header = context.metadata.get(CallHeaders.authorization)?.toString() ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!bearer) throw new ServerError(Status.UNAUTHENTICATED, 'a bearer token is required');
    const actor = await verify(bearer).catch((err: Error) => {
      throw new ServerError(Status.UNAUTHENTICATED, `the bearer token is invalid: ${err.message}`);
    });
    const requestId = context.metadata.get(CallHeaders.requestId)?.toString() ?? '';
    return yield* call.next(call.request, { ...context, actor, requestId });
  };
}

/** Logs each call once, maps domain errors to statuses, hides unexpected errors behind INTERNAL. */
function observeMiddleware(logger: Logger, maxCallMs: number) {
  return async function* <Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    const started = performance.now();
    const requestId = context.metadata.get(CallHeaders.requestId)?.toString();
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
  /** Checks the bearer token of every call to a domain service. */
  verifyToken: TokenVerifier;
  /** Serve gRPC reflection (grpcurl lists and describes the services); open like health. */
  reflection?: boolean;
}

export interface GrpcHost {
  /** Adds domain services behind the token check (a call without a valid token is refused). */
  server: ServerAddBuilder<{ actor: Actor; requestId: string }>;
  health: HealthState;
  /** Registers the health and reflection services; call after adding the domain services. */
  finish(serviceNames: string[]): void;
  plain: Server;
}

/**
 * The server every service uses: error details, logging, call limit, verified identity, and health
 * and reflection, which answer without a token (probes and grpcurl's listing need no identity).
 */
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
    server: plain.with(actorMiddleware(opts.verifyToken)),
    health,
    finish(serviceNames) {
      plain.add(HealthDefinition, HealthServiceImpl(health));
      if (opts.reflection === false) return;
      // The descriptor set carries grpc/health/v1/health.proto too (packages/proto/vendor): without
      // it, reflection clients such as grpcurl list Health but cannot call it.
      plain.add(
        ServerReflectionService,
        ServerReflection(opts.descriptorSet, [...serviceNames, HealthDefinition.fullName]),
      );
    },
  };
}
