import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Actor } from '../auth';
import { callOptions } from '../grpc';
import { grpcToProblem } from './grpc-errors';

/** What every route module gets: call options for the caller and gRPC errors mapped to problems. */
export interface Rpc {
  /** Deadline, caller identity and request id for a gRPC call made on behalf of req. */
  opts(req: Request): ReturnType<typeof callOptions>;
  /** Runs a gRPC call; its error becomes an HttpProblem (404, 409, 412, 503, ...). */
  call<T>(req: Request, fn: () => Promise<T>): Promise<T>;
  actor(req: Request): Actor;
}

export function rpc(grpcDeadlineMs: number, logger: Logger): Rpc {
  return {
    opts: (req) => callOptions(req.actor, String(req.id), grpcDeadlineMs),
    async call(req, fn) {
      try {
        return await fn();
      } catch (err) {
        throw grpcToProblem(err, (req.log as Logger | undefined) ?? logger);
      }
    },
    actor: (req) => req.actor as Actor,
  };
}
