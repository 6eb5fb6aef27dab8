import type { EventEnvelope } from '@crm/kit';
import {
  account as accountPb,
  accountEvents,
  lead as leadPb,
  leadEvents,
  opportunity as opportunityPb,
  opportunityEvents,
  payment as paymentPb,
  paymentEvents,
  quote as quotePb,
  quoteEvents,
  serviceTicket as ticketPb,
  serviceTicketEvents as ticketEvents,
} from '@crm/proto';
import type { Projections } from '../application/projections';
import {
  quantityInMilli,
  type Applied,
  type LeadStatus,
  type OpportunitySnapshot,
  type QuoteFact,
} from '../domain/facts';
import type { ActivityChange, ActivityKind } from '../domain/activity-facts';
import type { PaymentSnapshot } from '../domain/payment-facts';
import type { TicketSnapshot } from '../domain/ticket-facts';

/** The streams analytics reads, each through one durable consumer (and from its start on a rebuild). */
export const ANALYTICS_STREAMS = [
  { stream: 'CRM_LEAD', durable: 'analytics-lead', filterSubject: 'crm.lead.>' },
  { stream: 'CRM_ACCOUNT', durable: 'analytics-account', filterSubject: 'crm.account.>' },
  { stream: 'CRM_OPPORTUNITY', durable: 'analytics-opportunity', filterSubject: 'crm.opportunity.>' },
  { stream: 'CRM_SERVICE_TICKET', durable: 'analytics-service-ticket', filterSubject: 'crm.serviceticket.>' },
] as const;

const STATUS: Record<number, LeadStatus> = {
  [leadPb.LeadStatus.LEAD_STATUS_NEW]: 'new',
  [leadPb.LeadStatus.LEAD_STATUS_WORKING]: 'working',
  [leadPb.LeadStatus.LEAD_STATUS_NURTURING]: 'nurturing',
  [leadPb.LeadStatus.LEAD_STATUS_QUALIFIED]: 'qualified',
  [leadPb.LeadStatus.LEAD_STATUS_DISQUALIFIED]: 'disqualified',
  [leadPb.LeadStatus.LEAD_STATUS_CONVERTED]: 'converted',
};

const TIER: Record<number, string> = {
  [accountPb.AccountTier.ACCOUNT_TIER_STRATEGIC]: 'strategic',
  [accountPb.AccountTier.ACCOUNT_TIER_A]: 'A',
  [accountPb.AccountTier.ACCOUNT_TIER_B]: 'B',
  [accountPb.AccountTier.ACCOUNT_TIER_C]: 'C',
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
  status: o?.status ?? '',
  closedAt: o?.closedAt,
  lossReason: o?.lossReason ?? '',
  competitor: o?.competitor ?? '',
  moves: (o?.stageHistory ?? []).map((m) => ({ toStage: m.toStage, at: m.movedAt ?? new Date(0) })),
  sourceLeadId: o?.sourceLeadId ?? '',
  accountId: o?.accountId ?? '',
});

/** A deal a saga step created and its compensation discarded: no figure counts it. */
const discarded = (o: opportunityPb.Opportunity | undefined): OpportunitySnapshot => ({
  ...opportunitySnapshot(o),
  status: 'discarded',
});

const quoteSnapshot = (
  x: quotePb.Quote | undefined,
): Omit<QuoteFact, '_id' | 'version' | 'eventAt' | 'appliedAt'> => ({
  opportunityId: x?.opportunityId ?? '',
  revision: x?.revision ?? 0,
  status: x?.status ?? '',
  currency: x?.currency ?? '',
  lines: (x?.lines ?? []).map((l) => ({
    productId: l.productId,
    productCode: l.productCode,
    productName: l.productName,
    quantityMilli: quantityInMilli(l.quantity),
    netMinor: Number(l.netMinor),
  })),
});

const ticketSnapshot = (t: ticketPb.Ticket | undefined): TicketSnapshot => ({
  createdAt: t?.createdAt ?? new Date(0),
  queue: t?.queue ?? '',
  assigneeId: t?.assigneeId ?? '',
  priority: t?.priority ?? '',
  tier: t?.accountTier ?? '',
  status: t?.status ?? '',
  slaPolicyId: t?.sla?.policyId ?? '',
  firstRespondedAt: t?.firstRespondedAt,
  firstResponseBreached: t?.sla?.firstResponseBreached ?? false,
  resolvedAt: t?.resolvedAt,
  resolutionBreached: t?.sla?.resolutionBreached ?? false,
  statusChanges: (t?.statusHistory ?? []).map((c) => ({ from: c.fromStatus, to: c.toStatus })),
  csatScore: t?.csatScore ?? 0,
});

/** Events that carry the whole deal: each replaces the deal's fact. */
const DEAL_EVENTS: Record<string, (p: Uint8Array) => opportunityPb.Opportunity | undefined> = {
  'crm.opportunity.v1.OpportunityCreated': (p) => opportunityEvents.OpportunityCreated.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityUpdated': (p) => opportunityEvents.OpportunityUpdated.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityStageChanged': (p) =>
    opportunityEvents.OpportunityStageChanged.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityAmountChanged': (p) =>
    opportunityEvents.OpportunityAmountChanged.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityCloseRequested': (p) =>
    opportunityEvents.OpportunityCloseRequested.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityWon': (p) => opportunityEvents.OpportunityWon.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityLost': (p) => opportunityEvents.OpportunityLost.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityCloseRejected': (p) =>
    opportunityEvents.OpportunityCloseRejected.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityReopened': (p) =>
    opportunityEvents.OpportunityReopened.decode(p).opportunity,
  'crm.opportunity.v1.OpportunityTeamChanged': (p) =>
    opportunityEvents.OpportunityTeamChanged.decode(p).opportunity,
};

const ACTIVITY_KIND: Partial<Record<accountPb.ActivityKind, ActivityKind>> = {
  [accountPb.ActivityKind.ACTIVITY_KIND_CALL]: 'call',
  [accountPb.ActivityKind.ACTIVITY_KIND_VISIT]: 'visit',
  [accountPb.ActivityKind.ACTIVITY_KIND_MEETING]: 'meeting',
  [accountPb.ActivityKind.ACTIVITY_KIND_TASK]: 'task',
};

/** An activity as ActivityLogged and ActivityUpdated carry it whole; undefined for an unknown kind. */
const activitySnapshot = (a: accountPb.Activity | undefined): ActivityChange | undefined => {
  const kind = a && ACTIVITY_KIND[a.kind];
  return kind
    ? {
        kind: 'snapshot',
        activity: kind,
        ownerId: a.ownerId,
        teamId: a.teamId,
        occurredAt: a.occurredAt,
        doneAt: a.done ? (a.doneAt ?? a.updated?.at) : undefined,
      }
    : undefined;
};

/** Events that carry the whole payment milestone. */
const PAYMENT_EVENTS: Record<string, (p: Uint8Array) => paymentPb.Payment | undefined> = {
  'crm.opportunity.v1.PaymentMilestoneAdded': (p) => paymentEvents.PaymentMilestoneAdded.decode(p).payment,
  'crm.opportunity.v1.PaymentMilestoneChanged': (p) =>
    paymentEvents.PaymentMilestoneChanged.decode(p).payment,
  'crm.opportunity.v1.PaymentReceiptRequested': (p) =>
    paymentEvents.PaymentReceiptRequested.decode(p).payment,
  'crm.opportunity.v1.PaymentReceived': (p) => paymentEvents.PaymentReceived.decode(p).payment,
  'crm.opportunity.v1.PaymentReceiptRejected': (p) => paymentEvents.PaymentReceiptRejected.decode(p).payment,
  'crm.opportunity.v1.PaymentMilestoneOverdue': (p) =>
    paymentEvents.PaymentMilestoneOverdue.decode(p).payment,
};

const paymentSnapshot = (x: paymentPb.Payment | undefined): PaymentSnapshot => ({
  day: x?.dueDate ?? '',
  opportunityId: x?.opportunityId ?? '',
  accountId: x?.accountId ?? '',
  ownerId: x?.ownerId ?? '',
  teamId: x?.teamId ?? '',
  currency: x?.currency ?? '',
  amountMinor: Number(x?.amountMinor ?? 0),
  status: x?.status ?? 'planned',
  receivedDate: x?.status === 'received' ? (x?.receivedDate ?? '') : '',
  receivedAmountMinor: x?.status === 'received' ? Number(x?.receivedAmountMinor ?? 0) : 0,
  removed: !!x?.removedAt,
});

/** Events that carry the whole quote. */
const QUOTE_EVENTS: Record<string, (p: Uint8Array) => quotePb.Quote | undefined> = {
  'crm.opportunity.v1.QuoteSaved': (p) => quoteEvents.QuoteSaved.decode(p).quote,
  'crm.opportunity.v1.QuoteSent': (p) => quoteEvents.QuoteSent.decode(p).quote,
  'crm.opportunity.v1.QuoteSubmitted': (p) => quoteEvents.QuoteSubmitted.decode(p).quote,
  'crm.opportunity.v1.QuoteApproved': (p) => quoteEvents.QuoteApproved.decode(p).quote,
  'crm.opportunity.v1.QuoteRejected': (p) => quoteEvents.QuoteRejected.decode(p).quote,
};

/** Events that carry the whole ticket (a comment does not: it changes nothing a figure counts). */
const TICKET_EVENTS: Record<string, (p: Uint8Array) => ticketPb.Ticket | undefined> = {
  'crm.serviceticket.v1.TicketCreated': (p) => ticketEvents.TicketCreated.decode(p).ticket,
  'crm.serviceticket.v1.TicketUpdated': (p) => ticketEvents.TicketUpdated.decode(p).ticket,
  'crm.serviceticket.v1.TicketFirstResponded': (p) => ticketEvents.TicketFirstResponded.decode(p).ticket,
  'crm.serviceticket.v1.TicketEscalated': (p) => ticketEvents.TicketEscalated.decode(p).ticket,
  'crm.serviceticket.v1.TicketResolved': (p) => ticketEvents.TicketResolved.decode(p).ticket,
  'crm.serviceticket.v1.TicketClosed': (p) => ticketEvents.TicketClosed.decode(p).ticket,
  'crm.serviceticket.v1.TicketReopened': (p) => ticketEvents.TicketReopened.decode(p).ticket,
  'crm.serviceticket.v1.SlaWarning': (p) => ticketEvents.SlaWarning.decode(p).ticket,
  'crm.serviceticket.v1.SlaBreached': (p) => ticketEvents.SlaBreached.decode(p).ticket,
  'crm.serviceticket.v1.CsatReceived': (p) => ticketEvents.CsatReceived.decode(p).ticket,
};

/**
 * Decodes an event of the streams and applies it to the facts of a generation. Events no figure
 * counts yet (accounts, contacts, activities, products, ticket comments) are read and left alone.
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
      case 'crm.account.v1.AccountCreated':
      case 'crm.account.v1.AccountUpdated': {
        const decode = env.eventType.endsWith('Created')
          ? accountEvents.AccountCreated
          : accountEvents.AccountUpdated;
        const a = decode.decode(p).account;
        return a ? projections.account(generation, e, { name: a.name, tier: TIER[a.tier] ?? '' }) : undefined;
      }
      case 'crm.account.v1.ActivityLogged':
      case 'crm.account.v1.ActivityUpdated': {
        const decode = env.eventType.endsWith('Logged')
          ? accountEvents.ActivityLogged
          : accountEvents.ActivityUpdated;
        const change = activitySnapshot(decode.decode(p).activity);
        return change ? projections.activity(generation, e, change) : undefined;
      }
      case 'crm.account.v1.TaskCompleted': {
        const done = accountEvents.TaskCompleted.decode(p);
        return projections.activity(generation, e, {
          kind: 'task-completed',
          at: done.completedAt ?? e.eventAt,
        });
      }
      case 'crm.opportunity.v1.OpportunityDiscarded':
        return projections.opportunity(
          generation,
          e,
          discarded(opportunityEvents.OpportunityDiscarded.decode(p).opportunity),
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
      default: {
        const deal = DEAL_EVENTS[env.eventType];
        if (deal) return projections.opportunity(generation, e, opportunitySnapshot(deal(p)));
        const quote = QUOTE_EVENTS[env.eventType];
        if (quote) return projections.quote(generation, e, quoteSnapshot(quote(p)));
        const payment = PAYMENT_EVENTS[env.eventType];
        if (payment) return projections.payment(generation, e, paymentSnapshot(payment(p)));
        const ticket = TICKET_EVENTS[env.eventType];
        if (ticket) return projections.ticket(generation, e, ticketSnapshot(ticket(p)));
        return undefined;
      }
    }
  };
}
