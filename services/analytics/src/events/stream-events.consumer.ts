import type { EventEnvelope } from '@crm/kit';
import { lead as leadPb, leadEvents, opportunity as opportunityPb, opportunityEvents } from '@crm/proto';
import type { Projections } from '../application/projections';
import type { Applied, LeadStatus, OpportunitySnapshot } from '../domain/facts';

/** The streams analytics reads, each through one durable consumer (and from its start on a rebuild). */
export const ANALYTICS_STREAMS = [
  { stream: 'CRM_LEAD', durable: 'analytics-lead', filterSubject: 'crm.lead.>' },
  { stream: 'CRM_ACCOUNT', durable: 'analytics-account', filterSubject: 'crm.account.>' },
  { stream: 'CRM_OPPORTUNITY', durable: 'analytics-opportunity', filterSubject: 'crm.opportunity.>' },
] as const;

const STATUS: Record<number, LeadStatus> = {
  [leadPb.LeadStatus.LEAD_STATUS_NEW]: 'new',
  [leadPb.LeadStatus.LEAD_STATUS_WORKING]: 'working',
  [leadPb.LeadStatus.LEAD_STATUS_NURTURING]: 'nurturing',
  [leadPb.LeadStatus.LEAD_STATUS_QUALIFIED]: 'qualified',
  [leadPb.LeadStatus.LEAD_STATUS_DISQUALIFIED]: 'disqualified',
  [leadPb.LeadStatus.LEAD_STATUS_CONVERTED]: 'converted',
};

const leadSnapshot = (l: leadPb.Lead | undefined) => ({
  kind: 'snapshot' as const,
  createdAt: l?.created?.at ?? new Date(0),
  ownerId: l?.ownerId ?? '',
  teamId: l?.teamId ?? '',
  source: l?.source ?? '',
  region: l?.region ?? '',
  status: STATUS[l?.status ?? 0] ?? 'new',
});

const opportunitySnapshot = (o: opportunityPb.Opportunity | undefined): OpportunitySnapshot => ({
  createdAt: o?.createdAt ?? new Date(0),
  ownerId: o?.ownerId ?? '',
  teamId: o?.teamId ?? '',
  pipelineId: o?.pipelineId ?? '',
  stageKey: o?.stageKey ?? '',
  stagesEntered: (o?.stageHistory ?? []).map((m) => m.toStage),
  amountMinor: Number(o?.amountMinor ?? 0),
  currency: o?.currency ?? '',
  expectedCloseDate: o?.expectedCloseDate ?? '',
});

/**
 * Decodes an event of the streams and applies it to the facts of a generation. Events no figure
 * counts yet (accounts, contacts, activities) are read and left alone; the next figures add a case here.
 */
export function eventApplier(projections: Projections, now: () => Date = () => new Date()) {
  return async (generation: number, env: EventEnvelope): Promise<void> => {
    const e: Applied = {
      id: env.aggregateId,
      version: Number(env.aggregateVersion),
      eventAt: env.occurredAt ?? new Date(0),
      appliedAt: now(),
    };
    const p = env.payload;
    switch (env.eventType) {
      case 'crm.lead.v1.LeadCreated':
        return projections.lead(generation, e, leadSnapshot(leadEvents.LeadCreated.decode(p).lead));
      case 'crm.lead.v1.LeadUpdated':
        return projections.lead(generation, e, leadSnapshot(leadEvents.LeadUpdated.decode(p).lead));
      case 'crm.lead.v1.LeadAssigned': {
        const a = leadEvents.LeadAssigned.decode(p);
        return projections.lead(generation, e, { kind: 'assigned', ownerId: a.ownerId, teamId: a.teamId });
      }
      case 'crm.lead.v1.LeadStatusChanged': {
        const to = STATUS[leadEvents.LeadStatusChanged.decode(p).to];
        return to ? projections.lead(generation, e, { kind: 'status', to }) : undefined;
      }
      case 'crm.lead.v1.LeadConverted':
        return projections.lead(generation, e, { kind: 'converted' });
      case 'crm.opportunity.v1.OpportunityCreated':
        return projections.opportunity(
          generation,
          e,
          opportunitySnapshot(opportunityEvents.OpportunityCreated.decode(p).opportunity),
        );
      case 'crm.opportunity.v1.OpportunityUpdated':
        return projections.opportunity(
          generation,
          e,
          opportunitySnapshot(opportunityEvents.OpportunityUpdated.decode(p).opportunity),
        );
      case 'crm.opportunity.v1.OpportunityStageChanged':
        return projections.opportunity(
          generation,
          e,
          opportunitySnapshot(opportunityEvents.OpportunityStageChanged.decode(p).opportunity),
        );
      case 'crm.opportunity.v1.OpportunityAmountChanged':
        return projections.opportunity(
          generation,
          e,
          opportunitySnapshot(opportunityEvents.OpportunityAmountChanged.decode(p).opportunity),
        );
      case 'crm.opportunity.v1.PipelineSaved': {
        const stages = opportunityEvents.PipelineSaved.decode(p).pipeline?.stages ?? [];
        return projections.pipeline(
          generation,
          e,
          stages.map((s) => ({
            key: s.key,
            winProbability: s.winProbability,
            forecastCategory: s.forecastCategory,
            outcome: s.outcome,
          })),
        );
      }
      default:
        return undefined;
    }
  };
}
