import { randomUUID } from 'node:crypto';
import { type Actor, ForbiddenError, Roles } from '@crm/kit/domain';
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
import { Figures } from '../src/application/figures';
import { LiveGate } from '../src/application/live-gate';
import { Projections } from '../src/application/projections';
import { Rebuild } from '../src/application/rebuild';
import { eventApplier } from '../src/events/stream-events.consumer';
import {
  InMemoryFactStore,
  InMemoryGenerations,
  InMemoryRebuildLog,
  InMemoryStreams,
} from './support/in-memory';

const actor = (userId: string, roles: string[], teams: string[] = []): Actor => ({
  userId,
  username: userId,
  roles,
  teams,
});
const admin = actor('admin', [Roles.admin]);
const rep1 = actor('rep1', [Roles.rep]);
const manager = actor('manager', [Roles.manager], ['north']);
const agent = actor('agent', [Roles.agent]);

const versions = new Map<string, number>();
function envelope(eventType: string, aggregateId: string, payload: Uint8Array): EventEnvelope {
  const version = (versions.get(aggregateId) ?? 0) + 1;
  versions.set(aggregateId, version);
  return {
    eventId: randomUUID(),
    eventType,
    aggregateType: eventType.split('.')[1] ?? '',
    aggregateId,
    aggregateVersion: String(version),
    occurredAt: new Date('2026-12-01T10:00:00Z'),
    actor: undefined,
    traceparent: '',
    tracestate: '',
    requestId: '',
    payload: Buffer.from(payload),
  };
}

const leadCreated = (id: string, ownerId: string, teamId: string) =>
  envelope(
    'crm.lead.v1.LeadCreated',
    id,
    leadEvents.LeadCreated.encode({
      lead: leadPb.Lead.fromPartial({
        id,
        ownerId,
        teamId,
        status: leadPb.LeadStatus.LEAD_STATUS_NEW,
        created: { actorId: ownerId, at: new Date('2026-12-01T09:00:00Z') },
      }),
    }).finish(),
  );
const leadQualified = (id: string) =>
  envelope(
    'crm.lead.v1.LeadStatusChanged',
    id,
    leadEvents.LeadStatusChanged.encode({
      leadId: id,
      from: leadPb.LeadStatus.LEAD_STATUS_WORKING,
      to: leadPb.LeadStatus.LEAD_STATUS_QUALIFIED,
      reason: '',
    }).finish(),
  );
const leadConverted = (id: string) =>
  envelope(
    'crm.lead.v1.LeadConverted',
    id,
    leadEvents.LeadConverted.encode({
      leadId: id,
      accountId: 'acc',
      contactId: 'c',
      opportunityId: '',
      accountCreated: true,
    }).finish(),
  );
function dealEvent(
  type: 'OpportunityCreated' | 'OpportunityStageChanged',
  id: string,
  stageKey: string,
  amountMinor = 10_000,
) {
  const opportunity = opportunityPb.Opportunity.fromPartial({
    id,
    ownerId: 'rep1',
    teamId: 'north',
    pipelineId: 'default',
    stageKey,
    amountMinor: String(amountMinor),
    currency: 'EUR',
    expectedCloseDate: '2027-01-15',
    createdAt: new Date('2026-12-02T00:00:00Z'),
    stageHistory: [{ toStage: 'qualification' }, { toStage: stageKey }],
  });
  const payload =
    type === 'OpportunityCreated'
      ? opportunityEvents.OpportunityCreated.encode({ opportunity }).finish()
      : opportunityEvents.OpportunityStageChanged.encode(
          opportunityEvents.OpportunityStageChanged.fromPartial({ opportunity, toStage: stageKey }),
        ).finish();
  return envelope(`crm.opportunity.v1.${type}`, id, payload);
}

/** A deal closed from negotiation: won, or lost on price to a competitor. */
function dealClosed(outcome: 'won' | 'lost', id: string, amountMinor: number) {
  const opportunity = opportunityPb.Opportunity.fromPartial({
    id,
    ownerId: 'rep1',
    teamId: 'north',
    pipelineId: 'default',
    stageKey: outcome === 'won' ? 'closed-won' : 'closed-lost',
    status: outcome,
    amountMinor: String(amountMinor),
    currency: 'EUR',
    accountId: 'acc1',
    createdAt: new Date('2026-12-02T00:00:00Z'),
    closedAt: new Date('2026-12-12T00:00:00Z'),
    lossReason: outcome === 'lost' ? 'price' : '',
    competitor: outcome === 'lost' ? 'Rival' : '',
    stageHistory: [
      { toStage: 'negotiation', movedAt: new Date('2026-12-02T00:00:00Z') },
      {
        toStage: outcome === 'won' ? 'closed-won' : 'closed-lost',
        movedAt: new Date('2026-12-12T00:00:00Z'),
      },
    ],
  });
  const payload =
    outcome === 'won'
      ? opportunityEvents.OpportunityWon.encode(
          opportunityEvents.OpportunityWon.fromPartial({
            opportunity,
            fromStage: 'negotiation',
            daysToClose: 10,
          }),
        ).finish()
      : opportunityEvents.OpportunityLost.encode(
          opportunityEvents.OpportunityLost.fromPartial({
            opportunity,
            fromStage: 'negotiation',
            daysToClose: 10,
          }),
        ).finish();
  return envelope(`crm.opportunity.v1.Opportunity${outcome === 'won' ? 'Won' : 'Lost'}`, id, payload);
}

const quoteSent = (id: string, opportunityId: string) =>
  envelope(
    'crm.opportunity.v1.QuoteSent',
    id,
    quoteEvents.QuoteSent.encode({
      quote: quotePb.Quote.fromPartial({
        id,
        opportunityId,
        revision: 1,
        status: 'sent',
        currency: 'EUR',
        lines: [
          { productId: 'p1', productCode: 'ERP', productName: 'ERP seat', quantity: '4', netMinor: '40000' },
        ],
      }),
      opportunityOwnerId: 'rep1',
    }).finish(),
  );

/** Account acc1 as the account service publishes it: created, then renamed and re-tiered. */
const accountEvent = (
  type: 'AccountCreated' | 'AccountUpdated',
  name: string,
  tier: accountPb.AccountTier,
) => {
  const account = accountPb.Account.fromPartial({ id: 'acc1', name, tier });
  const payload =
    type === 'AccountCreated'
      ? accountEvents.AccountCreated.encode({ account }).finish()
      : accountEvents.AccountUpdated.encode(
          accountEvents.AccountUpdated.fromPartial({ account, changedFields: ['name', 'tier'] }),
        ).finish();
  return envelope(`crm.account.v1.${type}`, 'acc1', payload);
};

/** A visit rep1 logged on 2026-12-03. */
const visitLogged = (id: string) =>
  envelope(
    'crm.account.v1.ActivityLogged',
    id,
    accountEvents.ActivityLogged.encode(
      accountEvents.ActivityLogged.fromPartial({
        activity: accountPb.Activity.fromPartial({
          id,
          kind: accountPb.ActivityKind.ACTIVITY_KIND_VISIT,
          ownerId: 'rep1',
          teamId: 'north',
          occurredAt: new Date('2026-12-03T10:00:00Z'),
        }),
        kind: accountPb.ActivityKind.ACTIVITY_KIND_VISIT,
        accountId: 'acc',
      }),
    ).finish(),
  );

/** A payment milestone of deal d1: planned (due 2026-12-10), then received on 2026-12-12. */
function paymentEvent(type: 'PaymentMilestoneAdded' | 'PaymentReceived', id: string) {
  const received = type === 'PaymentReceived';
  const payment = paymentPb.Payment.fromPartial({
    id,
    opportunityId: 'd1',
    ownerId: 'rep1',
    teamId: 'north',
    currency: 'EUR',
    amountMinor: '25000',
    dueDate: '2026-12-10',
    status: received ? 'received' : 'planned',
    receivedDate: received ? '2026-12-12' : '',
    receivedAmountMinor: received ? '25000' : '0',
  });
  return envelope(`crm.opportunity.v1.${type}`, id, paymentEvents[type].encode({ payment }).finish());
}

function ticketEvent(type: 'TicketCreated' | 'TicketResolved' | 'CsatReceived', id: string, csatScore = 0) {
  const resolved = type !== 'TicketCreated';
  const ticket = ticketPb.Ticket.fromPartial({
    id,
    queue: 'general',
    assigneeId: 'agent',
    priority: 'high',
    accountTier: 'A',
    status: resolved ? 'resolved' : 'new',
    createdAt: new Date('2026-12-01T08:00:00Z'),
    firstRespondedAt: resolved ? new Date('2026-12-01T08:20:00Z') : undefined,
    resolvedAt: resolved ? new Date('2026-12-01T09:00:00Z') : undefined,
    sla: { policyId: 'default' },
    csatScore,
  });
  const payload = {
    TicketCreated: () => ticketEvents.TicketCreated.encode({ ticket }).finish(),
    TicketResolved: () =>
      ticketEvents.TicketResolved.encode({
        ticket,
        minutesToResolve: '60',
        businessMinutesToResolve: 60,
      }).finish(),
    CsatReceived: () =>
      ticketEvents.CsatReceived.encode({ ticket, score: csatScore, comment: '', confirmed: true }).finish(),
  }[type]();
  return envelope(`crm.serviceticket.v1.${type}`, id, payload);
}

function setup() {
  const store = new InMemoryFactStore();
  const generations = new InMemoryGenerations();
  const apply = eventApplier(new Projections(store), () => new Date('2026-12-01T10:00:00.100Z'));
  const streams = new InMemoryStreams<EventEnvelope>([
    'CRM_LEAD',
    'CRM_ACCOUNT',
    'CRM_OPPORTUNITY',
    'CRM_SERVICE_TICKET',
  ]);
  const gate = new LiveGate();
  /** What the live consumer does with an event it takes off a stream. */
  const live = (env: EventEnvelope) => gate.live(async () => apply(await generations.current(), env));
  const publish = async (stream: string, env: EventEnvelope) => {
    streams.publish(stream, env);
    await live(env);
  };
  // A fixed today, after every day the history names, so figures do not move with the calendar.
  const figures = new Figures(generations, store, undefined, () => '2026-12-31');
  const log = new InMemoryRebuildLog();
  const rebuild = new Rebuild(generations, store, streams, apply, gate, log);
  return { store, generations, streams, live, publish, figures, rebuild, log };
}

const allFigures = async (figures: Figures, reader: Actor) => ({
  funnel: await figures.funnel({}, reader),
  byMonth: await figures.funnel({ period: 'month' }, reader),
  pipeline: await figures.pipeline({}, reader),
  leaderboard: await figures.leaderboard({}, reader),
  winRate: await figures.winRate({ period: 'week' }, reader),
  salesCycle: await figures.salesCycle({}, reader),
  forecast: await figures.forecast({}, reader),
  products: await figures.products({ period: 'month' }, reader),
  payments: await figures.payments({}, reader),
  backlog: await figures.serviceBacklog({}, reader),
  sla: await figures.serviceSla({}, reader),
  resolutionTime: await figures.resolutionTime({}, reader),
  csat: await figures.csat({}, reader),
  rfm: await figures.accountsRfm({}, reader),
  accuracy: await figures.forecastAccuracy({}, reader),
});

describe('projections', () => {
  it('count an event delivered twice once, and ignore an older event arriving late', async () => {
    const { live, figures } = setup();
    const created = leadCreated('l1', 'rep1', 'north');
    const qualified = leadQualified('l1');
    await live(created);
    await live(qualified);
    await live(qualified);
    await live(created);
    const steps = await figures.funnel({}, admin);
    expect(steps.find((s) => s.step === 'lead')?.count).toBe(1);
    expect(steps.find((s) => s.step === 'qualified')?.count).toBe(1);
  });
});

describe('figures by role', () => {
  it('give a rep their own records, a manager their teams, an admin all, and refuse a support agent', async () => {
    const { publish, figures } = setup();
    await publish('CRM_LEAD', leadCreated('mine', 'rep1', 'north'));
    await publish('CRM_LEAD', leadCreated('colleague', 'rep2', 'north'));
    await publish('CRM_LEAD', leadCreated('other-team', 'rep3', 'south'));
    const leads = async (reader: Actor) =>
      (await figures.funnel({}, reader)).find((s) => s.step === 'lead')?.count;
    expect(await leads(rep1)).toBe(1);
    expect(await leads(manager)).toBe(2);
    expect(await leads(admin)).toBe(3);
    // A rep naming a colleague finds nothing rather than the colleague's figures.
    expect(await figures.leaderboard({ ownerId: 'rep2' }, rep1)).toEqual([]);
    await expect(figures.leaderboard({}, agent)).rejects.toThrow(ForbiddenError);
  });

  it('give support figures to support staff and admins only, and no sales figure to a support agent', async () => {
    const { publish, figures } = setup();
    await publish('CRM_SERVICE_TICKET', ticketEvent('TicketCreated', 't1'));
    const supportLead = actor('lead', [Roles.supportManager]);
    for (const reader of [agent, supportLead, admin])
      expect(await figures.serviceBacklog({}, reader)).toEqual([
        { queue: 'general', priority: 'high', status: 'new', tickets: 1, unassigned: 0 },
      ]);
    for (const reader of [rep1, manager]) {
      await expect(figures.serviceBacklog({}, reader)).rejects.toThrow(ForbiddenError);
      await expect(figures.csat({}, reader)).rejects.toThrow(ForbiddenError);
    }
    for (const figure of ['winRate', 'salesCycle', 'forecast', 'products'] as const)
      await expect(figures[figure]({}, agent)).rejects.toThrow(ForbiddenError);
  });
});

describe('rebuild', () => {
  async function history(publish: (stream: string, env: EventEnvelope) => Promise<void>) {
    for (let i = 0; i < 5; i += 1)
      await publish('CRM_LEAD', leadCreated(`l${i}`, i % 2 ? 'rep1' : 'rep2', 'north'));
    await publish('CRM_LEAD', leadQualified('l1'));
    await publish('CRM_LEAD', leadConverted('l1'));
    await publish('CRM_OPPORTUNITY', dealEvent('OpportunityCreated', 'd1', 'qualification'));
    await publish('CRM_OPPORTUNITY', dealEvent('OpportunityStageChanged', 'd1', 'closed-won', 40_000));
    await publish('CRM_OPPORTUNITY', dealEvent('OpportunityCreated', 'd2', 'negotiation'));
    await publish('CRM_OPPORTUNITY', quoteSent('q1', 'd1'));
    await publish('CRM_OPPORTUNITY', dealClosed('won', 'd1', 40_000));
    await publish('CRM_OPPORTUNITY', dealEvent('OpportunityCreated', 'd3', 'negotiation'));
    await publish('CRM_OPPORTUNITY', dealClosed('lost', 'd3', 20_000));
    await publish('CRM_OPPORTUNITY', paymentEvent('PaymentMilestoneAdded', 'pay1'));
    await publish('CRM_OPPORTUNITY', paymentEvent('PaymentReceived', 'pay1'));
    await publish('CRM_OPPORTUNITY', paymentEvent('PaymentMilestoneAdded', 'pay2'));
    await publish('CRM_ACCOUNT', visitLogged('visit1'));
    await publish(
      'CRM_ACCOUNT',
      accountEvent('AccountCreated', 'Acme', accountPb.AccountTier.ACCOUNT_TIER_C),
    );
    await publish(
      'CRM_ACCOUNT',
      accountEvent('AccountUpdated', 'Acme Group', accountPb.AccountTier.ACCOUNT_TIER_A),
    );
    await publish('CRM_SERVICE_TICKET', ticketEvent('TicketCreated', 't1'));
    await publish('CRM_SERVICE_TICKET', ticketEvent('TicketResolved', 't1'));
    await publish('CRM_SERVICE_TICKET', ticketEvent('CsatReceived', 't1', 5));
    await publish('CRM_SERVICE_TICKET', ticketEvent('TicketCreated', 't2'));
  }

  it('reproduces every figure exactly and swaps to the new generation', async () => {
    const { publish, figures, rebuild, generations, store } = setup();
    await history(publish);
    const before = await allFigures(figures, admin);
    expect(before.leaderboard[0]).toMatchObject({
      ownerId: 'rep1',
      dealsWon: 1,
      won: [{ currency: 'EUR', amountMinor: 40_000 }],
      paymentsCollected: [{ currency: 'EUR', amountMinor: 25_000 }],
      activities: [{ kind: 'visit', count: 1 }],
    });
    // The RFM table names the account, with the tier it has now.
    expect(before.rfm.rows).toEqual([
      expect.objectContaining({
        accountId: 'acc1',
        accountName: 'Acme Group',
        accountTier: 'A',
        frequency: 1,
      }),
    ]);
    expect(before).toMatchObject({
      winRate: { rows: [{ period: '2026-W50', closed: 2, won: 1, lost: 1, winRate: 0.5 }] },
      products: [{ period: '2026-12', productId: 'p1', quantity: 4, revenueMinor: 40_000 }],
      csat: [{ dimension: 'all', rated: 1, average: 5 }, {}, {}, {}],
      backlog: [{ status: 'new', tickets: 1 }],
      payments: {
        rows: [
          {
            period: '2026-12',
            currency: 'EUR',
            due: 2,
            dueMinor: 50_000,
            collected: 1,
            collectedMinor: 25_000,
          },
        ],
      },
    });
    const report = await rebuild.run(admin);
    expect(report).toMatchObject({ state: 'done', generation: 2, events: 24, startedBy: 'admin', error: '' });
    expect(generations.swappedBy).toBe('admin');
    // The replaced generation stays until the next rebuild, for queries that read the pointer before the swap.
    expect([...store.gens.keys()].sort()).toEqual([1, 2]);
    await rebuild.run(admin);
    expect([...store.gens.keys()].sort()).toEqual([2, 3]);
    expect(await allFigures(figures, admin)).toEqual(before);
    expect(await allFigures(figures, admin)).toEqual(before);
  });

  it('keeps an event that arrives while it reads', async () => {
    const { publish, figures, rebuild, streams } = setup();
    await history(publish);
    let arrived = false;
    streams.onRead = async (stream, seq) => {
      if (stream !== 'CRM_LEAD' || seq !== 2 || arrived) return;
      arrived = true;
      await publish('CRM_LEAD', leadQualified('l3'));
    };
    await rebuild.run(admin);
    const qualified = (await figures.funnel({}, admin)).find((s) => s.step === 'qualified');
    expect(qualified?.count).toBe(2);
  });

  it('is for admins, runs in the background one at a time, and records how it went', async () => {
    const { rebuild, streams, log } = setup();
    await expect(rebuild.start(rep1)).rejects.toThrow(ForbiddenError);
    let release = () => {};
    streams.publish('CRM_LEAD', leadCreated('l9', 'rep1', 'north'));
    streams.onRead = () => new Promise<void>((r) => (release = r));
    const started = await rebuild.start(admin);
    expect(started).toMatchObject({ state: 'running', generation: 2, events: 0 });
    // A second start while it runs reports the same rebuild instead of starting another.
    expect(await rebuild.start(admin)).toEqual(started);
    release();
    await rebuild.idle();
    expect(await rebuild.status(admin)).toMatchObject({ state: 'done', generation: 2, events: 1 });
    expect(log.saved.filter((s) => s.state === 'running')).toHaveLength(1);
  });
});

describe('source and region filters', () => {
  const leadFrom = (id: string, source: string, region: string) =>
    envelope(
      'crm.lead.v1.LeadCreated',
      id,
      leadEvents.LeadCreated.encode({
        lead: leadPb.Lead.fromPartial({
          id,
          ownerId: 'rep1',
          teamId: 'north',
          source,
          region,
          status: leadPb.LeadStatus.LEAD_STATUS_NEW,
          created: { actorId: 'rep1', at: new Date('2026-12-01T09:00:00Z') },
        }),
      }).finish(),
    );
  const dealFrom = (id: string, sourceLeadId: string) =>
    envelope(
      'crm.opportunity.v1.OpportunityCreated',
      id,
      opportunityEvents.OpportunityCreated.encode({
        opportunity: opportunityPb.Opportunity.fromPartial({
          id,
          ownerId: 'rep1',
          teamId: 'north',
          pipelineId: 'default',
          stageKey: 'qualification',
          amountMinor: '10000',
          currency: 'EUR',
          expectedCloseDate: '2027-01-15',
          createdAt: new Date('2026-12-02T00:00:00Z'),
          stageHistory: [{ toStage: 'qualification' }],
          sourceLeadId,
        }),
      }).finish(),
    );

  it('count the leads of a source or region, and the deals converted from them; a deal without a lead in neither', async () => {
    const { publish, figures } = setup();
    await publish('CRM_LEAD', leadFrom('web-emea', 'web', 'emea'));
    await publish('CRM_LEAD', leadFrom('event-apac', 'event', 'apac'));
    await publish('CRM_OPPORTUNITY', dealFrom('deal-web', 'web-emea'));
    await publish('CRM_OPPORTUNITY', dealFrom('deal-event', 'event-apac'));
    await publish('CRM_OPPORTUNITY', dealFrom('deal-direct', ''));
    const count = async (q: Record<string, string>, step: string) =>
      (await figures.funnel(q, admin)).find((s) => s.step === step)?.count ?? 0;

    expect(await count({}, 'opportunity')).toBe(3);
    expect(await count({ source: 'web' }, 'lead')).toBe(1);
    expect(await count({ source: 'WEB' }, 'opportunity')).toBe(1);
    expect(await count({ region: 'apac' }, 'opportunity')).toBe(1);
    expect(await count({ source: 'web', region: 'apac' }, 'lead')).toBe(0);
    const pipeline = await figures.pipeline({ region: 'emea' }, admin);
    expect(pipeline.reduce((n, r) => n + r.deals, 0)).toBe(1);
  });
});
