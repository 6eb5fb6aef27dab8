import { type CallerContext, callerOf, expectedVersionOf } from '@crm/kit';
import type { serviceTicketQueues as pb } from '@crm/proto';
import type { Queues } from '../application/queues';
import { fromProtoQueue, fromProtoRules, toProtoQueue, toProtoRules } from './queue.mapper';

/** proto <-> application only; the rules live in the domain and the use cases. */
export function queueGrpc(queues: Queues): pb.QueueServiceImplementation<CallerContext> {
  return {
    async listQueues(_req, ctx) {
      return { queues: (await queues.list(callerOf(ctx))).map(toProtoQueue) };
    },
    async getQueue(req, ctx) {
      return toProtoQueue(await queues.get(req.key, callerOf(ctx)));
    },
    async saveQueue(req, ctx) {
      const q = await queues.save(
        req.queue?.key ?? '',
        expectedVersionOf(req.expectedVersion),
        fromProtoQueue(req.queue),
        callerOf(ctx),
      );
      return toProtoQueue(q);
    },
    async setAvailability(req, ctx) {
      return toProtoQueue(await queues.setAvailability(req.key, req.userId, req.availability, callerOf(ctx)));
    },
    async getAssignmentRules(_req, ctx) {
      return toProtoRules(await queues.rules(callerOf(ctx)));
    },
    async saveAssignmentRules(req, ctx) {
      const r = await queues.saveRules(
        expectedVersionOf(req.expectedVersion),
        fromProtoRules(req.rules),
        callerOf(ctx),
      );
      return toProtoRules(r);
    },
  };
}
