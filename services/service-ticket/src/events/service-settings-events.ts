import { type Actor, outboxEntry, type OutboxEntry } from '@crm/kit';
import { serviceTicketEvents as pb } from '@crm/proto';
import { toProtoServiceSettings } from '../grpc/ticket.mapper';
import type { ServiceSettingsDoc } from '../store/ticket.model';

/** ServiceSettingsChanged: the settings as saved and what changed (the audit log records it). */
export function serviceSettingsChanged(
  s: ServiceSettingsDoc,
  changedFields: string[],
  actor: Actor,
  requestId: string,
): OutboxEntry {
  return outboxEntry({
    eventType: 'crm.serviceticket.v1.ServiceSettingsChanged',
    payload: pb.ServiceSettingsChanged.encode({
      serviceSettings: toProtoServiceSettings(s),
      changedFields,
    }).finish(),
    aggregateType: 'service_settings',
    aggregateId: s._id,
    aggregateVersion: s.version,
    actor,
    requestId,
  });
}
