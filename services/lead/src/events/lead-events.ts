import { type Actor, eventPackage, type OutboxEntry } from '@crm/kit';
import { leadEvents } from '@crm/proto';
import type { LeadDoc } from '../store/lead.model';
import { toProtoLead, toProtoStatus } from '../grpc/lead.mapper';

/** Builds the outbox entries of lead events; subjects are the full proto names (crm.lead.v1.LeadCreated). */
export const LeadEvents = {
  created(lead: LeadDoc, actor: Actor, requestId: string): OutboxEntry {
    return entry(
      'LeadCreated',
      leadEvents.LeadCreated.encode({ lead: toProtoLead(lead) }).finish(),
      lead,
      actor,
      requestId,
    );
  },
  updated(lead: LeadDoc, changedFields: string[], actor: Actor, requestId: string): OutboxEntry {
    const payload = leadEvents.LeadUpdated.encode({ lead: toProtoLead(lead), changedFields }).finish();
    return entry('LeadUpdated', payload, lead, actor, requestId);
  },
  assigned(lead: LeadDoc, previousOwnerId: string, actor: Actor, requestId: string): OutboxEntry {
    const a = lead.assignments[lead.assignments.length - 1];
    const payload = leadEvents.LeadAssigned.encode({
      leadId: lead._id,
      ownerId: lead.ownerId,
      teamId: lead.teamId,
      queue: lead.queue,
      previousOwnerId,
      assignedBy: a?.assignedBy ?? actor.userId,
      reason: a?.reason ?? '',
      ruleId: a?.ruleId ?? '',
    }).finish();
    return entry('LeadAssigned', payload, lead, actor, requestId);
  },
  statusChanged(
    lead: LeadDoc,
    from: LeadDoc['status'],
    reason: string,
    actor: Actor,
    requestId: string,
  ): OutboxEntry {
    const payload = leadEvents.LeadStatusChanged.encode({
      leadId: lead._id,
      from: toProtoStatus(from),
      to: toProtoStatus(lead.status),
      reason,
    }).finish();
    return entry('LeadStatusChanged', payload, lead, actor, requestId);
  },
  converted(lead: LeadDoc, actor: Actor, requestId: string): OutboxEntry {
    const c = lead.conversion!;
    const payload = leadEvents.LeadConverted.encode({
      leadId: lead._id,
      accountId: c.accountId,
      contactId: c.contactId,
      opportunityId: c.opportunityId,
      accountCreated: c.accountCreated,
    }).finish();
    return entry('LeadConverted', payload, lead, actor, requestId);
  },
};

const leadEvent = eventPackage<'lead'>('crm.lead.v1');
const entry = (name: string, payload: Uint8Array, lead: LeadDoc, actor: Actor, requestId: string) =>
  leadEvent(name, payload, 'lead', lead, actor, requestId);
