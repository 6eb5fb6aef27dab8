import { audit as pb } from '@crm/proto';
import type { AuditEntryDoc, AuditLog } from './audit-log';
import { ForbiddenError } from './errors';
import type { CallerContext } from './grpc-context';
import { allows } from './permissions';

/** The fully-qualified name every service serves the audit log under (health, reflection). */
export const AUDIT_SERVICE_NAME = 'crm.audit.v1.AuditService';

const toProto = (e: AuditEntryDoc): pb.AuditEntry =>
  pb.AuditEntry.fromPartial({
    eventId: e._id,
    eventType: e.eventType,
    recordType: e.recordType,
    recordId: e.recordId,
    recordVersion: String(e.recordVersion),
    occurredAt: e.at,
    actorUserId: e.actor?.userId ?? '',
    actorUsername: e.actor?.username ?? '',
    requestId: e.requestId ?? '',
    changes: (e.changes ?? []).map((c) => ({ field: c.field, beforeJson: c.before, afterJson: c.after })),
    detailsJson: e.details ?? '',
  });

/** crm.audit.v1.AuditService over a service's own audit log; administrators only. */
export function auditService(log: AuditLog): pb.AuditServiceImplementation<CallerContext> {
  return {
    async listAuditEntries(req, ctx) {
      if (!allows(ctx.actor.roles, 'audit.read'))
        throw new ForbiddenError('only administrators read the audit log');
      const { entries, nextCursor } = await log.list({
        actorUserId: req.actorUserId || undefined,
        recordType: req.recordType || undefined,
        recordId: req.recordId || undefined,
        from: req.from,
        to: req.to,
        limit: req.page?.limit,
        cursor: req.page?.cursor || undefined,
      });
      return { entries: entries.map(toProto), page: { nextCursor } };
    },
  };
}
