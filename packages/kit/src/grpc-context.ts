import type { CallContext } from 'nice-grpc';
import type { Actor } from './actor';
import { ValidationError } from './errors';

/** The context of every handler behind actorMiddleware: who calls, and the request id to log. */
export type CallerContext = CallContext & { actor: Actor; requestId: string };

/** Who acts and under which request id, as the stores take it. */
export const callerOf = (ctx: CallerContext) => ({ actor: ctx.actor, requestId: ctx.requestId });

/** An `expected_version` (int64 as string): 0 means no check; anything else must be a whole number. */
export function expectedVersionOf(v: string, field = 'expectedVersion'): number {
  const n = Number(v || '0');
  if (!Number.isSafeInteger(n) || n < 0)
    throw new ValidationError([{ field, description: 'must be a non-negative integer' }]);
  return n;
}
