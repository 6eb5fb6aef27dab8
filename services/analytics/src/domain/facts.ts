/**
 * The read models: one small fact per lead, deal and pipeline, holding only what the figures count.
 * A fact is replaced as a whole by each event of its record, in the record's version order, so handling
 * an event twice or replaying a stream gives the same fact (and the same figures) every time.
 * Each fact carries its day, owner and team, the fields every figure filters on first, so a full scan
 * (FerretDB has no index pushdown worth counting on) reads a few small documents per record.
 */

export type LeadStatus = 'new' | 'working' | 'nurturing' | 'qualified' | 'disqualified' | 'converted';

export interface LeadFact {
  _id: string;
  /** aggregate_version of the last event applied. */
  version: number;
  /** Day the lead was created, "yyyy-mm-dd" (UTC): the cohort the funnel counts it in. */
  day: string;
  ownerId: string;
  teamId: string;
  source: string;
  region: string;
  /** Reached qualified at some point (a lead qualified and then converted or disqualified still did). */
  qualified: boolean;
  converted: boolean;
  /** When the event behind this fact happened and when it was applied: the freshness benchmark reads them. */
  eventAt: Date;
  appliedAt: Date;
}

export interface OpportunityFact {
  _id: string;
  version: number;
  /** Day the deal was created, "yyyy-mm-dd" (UTC). */
  day: string;
  ownerId: string;
  teamId: string;
  pipelineId: string;
  stageKey: string;
  /** Every stage the deal has been in, from its stage history. */
  stagesReached: string[];
  amountMinor: number;
  currency: string;
  /** "yyyy-mm-dd" or empty. */
  expectedCloseDate: string;
  /** "open", "won", "lost", or "discarded" (a deal a saga undid: no figure counts it). */
  status: string;
  /** Day it was won or lost, "yyyy-mm-dd" (UTC); empty while open. */
  closedDay: string;
  /** Days from creation to the close (fractions kept); 0 while open. */
  daysToClose: number;
  lossReason: string;
  competitor: string;
  /** Every stay in a stage the deal has left, in order: how long it stayed and the day it left. */
  stays: StageStay[];
  /**
   * The lead it was converted from ('' when opened without one, or stored before this field): the
   * source and region filters count a deal under its lead's, looked up when a figure is asked for.
   */
  sourceLeadId?: string;
  /** The customer's account ('' on facts stored before this field, until a rebuild). */
  accountId?: string;
  /**
   * What the deal's expected close day and amount were before each change of them, oldest first,
   * with the day of the change: what a forecast stood at on a past day (forecast accuracy). Absent on
   * facts stored before this field, until a rebuild.
   */
  earlier?: EarlierTerms[];
  eventAt: Date;
  appliedAt: Date;
}

/** A completed stay of a deal in one stage (stage velocity). */
export interface StageStay {
  stage: string;
  days: number;
  /** Day it left the stage, "yyyy-mm-dd" (UTC). */
  leftDay: string;
}

/** An account as figures name it: the RFM table shows its name and the tier it has now. */
export interface AccountFact {
  _id: string;
  version: number;
  name: string;
  tier: string;
  eventAt: Date;
  appliedAt: Date;
}

/** A deal's expected close day and amount as they were until `untilDay` changed them. */
export interface EarlierTerms {
  untilDay: string;
  expectedCloseDate: string;
  amountMinor: number;
  currency: string;
}

/** The terms a deal stood at on the start of a day (a change on that day or later came after). */
export function termsAt(
  d: Pick<OpportunityFact, 'earlier' | 'expectedCloseDate' | 'amountMinor' | 'currency'>,
  day: string,
): Omit<EarlierTerms, 'untilDay'> {
  const then = (d.earlier ?? []).find((t) => t.untilDay >= day);
  return then ?? { expectedCloseDate: d.expectedCloseDate, amountMinor: d.amountMinor, currency: d.currency };
}

export interface StageFact {
  key: string;
  winProbability: number;
  forecastCategory: string;
  /** "won" or "lost" for a closed stage, empty for an open one. */
  outcome: string;
}

export interface PipelineFact {
  _id: string;
  version: number;
  stages: StageFact[];
}

export const DEFAULT_PIPELINE_ID = 'default';

/**
 * The stages of the opportunity service's built-in default pipeline, which it serves without ever
 * publishing it until an admin first saves it (PipelineSaved then replaces this). Keep in step with
 * services/opportunity/src/domain/pipeline.ts.
 */
export const BUILT_IN_DEFAULT_PIPELINE: PipelineFact = {
  _id: DEFAULT_PIPELINE_ID,
  version: 0,
  stages: [
    { key: 'qualification', winProbability: 10, forecastCategory: 'pipeline', outcome: '' },
    { key: 'needs-analysis', winProbability: 20, forecastCategory: 'pipeline', outcome: '' },
    { key: 'solution', winProbability: 40, forecastCategory: 'best-case', outcome: '' },
    { key: 'proposal', winProbability: 60, forecastCategory: 'best-case', outcome: '' },
    { key: 'negotiation', winProbability: 80, forecastCategory: 'commit', outcome: '' },
    { key: 'closed-won', winProbability: 100, forecastCategory: 'closed', outcome: 'won' },
    { key: 'closed-lost', winProbability: 0, forecastCategory: 'closed', outcome: 'lost' },
  ],
};

/** What a lead event changes, in the domain's words (the consumer decodes the proto into this). */
export type LeadChange =
  | {
      kind: 'snapshot';
      createdAt: Date;
      ownerId: string;
      teamId: string;
      source: string;
      region: string;
      status: LeadStatus;
    }
  | { kind: 'assigned'; ownerId: string; teamId: string }
  | { kind: 'status'; to: LeadStatus }
  | { kind: 'converted' };

export interface Applied {
  id: string;
  version: number;
  eventAt: Date;
  appliedAt: Date;
}

export const dayOf = (d: Date) => d.toISOString().slice(0, 10);

const reachesQualified = (s: LeadStatus) => s === 'qualified' || s === 'converted';

/**
 * The lead's fact after one of its events; undefined when the event cannot be placed (a change of a
 * lead whose creation was never seen, e.g. a stream trimmed by retention).
 */
export function applyLeadChange(
  fact: LeadFact | undefined,
  e: Applied,
  change: LeadChange,
): LeadFact | undefined {
  const stamp = { version: e.version, eventAt: e.eventAt, appliedAt: e.appliedAt };
  if (change.kind === 'snapshot') {
    return {
      _id: e.id,
      ...stamp,
      day: fact?.day ?? dayOf(change.createdAt),
      ownerId: change.ownerId,
      teamId: change.teamId,
      source: change.source,
      region: change.region,
      qualified: (fact?.qualified ?? false) || reachesQualified(change.status),
      converted: (fact?.converted ?? false) || change.status === 'converted',
    };
  }
  if (!fact) return undefined;
  switch (change.kind) {
    case 'assigned':
      return { ...fact, ...stamp, ownerId: change.ownerId, teamId: change.teamId };
    case 'status':
      return {
        ...fact,
        ...stamp,
        qualified: fact.qualified || reachesQualified(change.to),
        converted: fact.converted || change.to === 'converted',
      };
    case 'converted':
      return { ...fact, ...stamp, qualified: true, converted: true };
  }
}

/** A deal as every opportunity event carries it whole. */
export interface OpportunitySnapshot {
  createdAt: Date;
  ownerId: string;
  teamId: string;
  pipelineId: string;
  stageKey: string;
  stagesEntered: string[];
  amountMinor: number;
  currency: string;
  expectedCloseDate: string;
  status: string;
  closedAt?: Date;
  lossReason: string;
  competitor: string;
  /** The stage history, oldest first: each move and when it happened. */
  moves: { toStage: string; at: Date }[];
  /** The lead it was converted from; empty when opened without one. */
  sourceLeadId: string;
  /** The customer's account. */
  accountId: string;
}

const DAY_MS = 86_400_000;
/** Days between two instants, to the hundredth (a whole-day count would make short stays all 0). */
const daysBetween = (from: Date, to: Date) =>
  Math.round(((to.getTime() - from.getTime()) / DAY_MS) * 100) / 100;

/** Each stage the deal left, how long it stayed there and when it left, from its stage history. */
export function stageStays(moves: { toStage: string; at: Date }[]): StageStay[] {
  return moves.slice(1).map((move, i) => ({
    stage: moves[i]!.toStage,
    days: daysBetween(moves[i]!.at, move.at),
    leftDay: dayOf(move.at),
  }));
}

export function applyOpportunitySnapshot(
  e: Applied,
  o: OpportunitySnapshot,
  previous?: OpportunityFact,
): OpportunityFact {
  const closed = o.status === 'won' || o.status === 'lost';
  const earlier = [...(previous?.earlier ?? [])];
  if (
    previous &&
    (previous.expectedCloseDate !== o.expectedCloseDate ||
      previous.amountMinor !== o.amountMinor ||
      previous.currency !== o.currency)
  )
    earlier.push({
      untilDay: dayOf(e.eventAt),
      expectedCloseDate: previous.expectedCloseDate,
      amountMinor: previous.amountMinor,
      currency: previous.currency,
    });
  return {
    _id: e.id,
    version: e.version,
    eventAt: e.eventAt,
    appliedAt: e.appliedAt,
    day: dayOf(o.createdAt),
    ownerId: o.ownerId,
    teamId: o.teamId,
    pipelineId: o.pipelineId || DEFAULT_PIPELINE_ID,
    stageKey: o.stageKey,
    stagesReached: [...new Set([...o.stagesEntered, o.stageKey])],
    amountMinor: o.amountMinor,
    currency: o.currency,
    expectedCloseDate: o.expectedCloseDate,
    status: o.status || 'open',
    closedDay: closed && o.closedAt ? dayOf(o.closedAt) : '',
    daysToClose: closed && o.closedAt ? daysBetween(o.createdAt, o.closedAt) : 0,
    lossReason: o.status === 'lost' ? o.lossReason : '',
    competitor: o.status === 'lost' ? o.competitor : '',
    stays: stageStays(o.moves),
    sourceLeadId: o.sourceLeadId,
    accountId: o.accountId,
    earlier,
  };
}

/** A product line of a quote: what the products figure sums. */
export interface QuoteLineFact {
  productId: string;
  productCode: string;
  productName: string;
  /** Thousandths of a unit (quantities have up to 3 decimals): sums stay exact. */
  quantityMilli: number;
  netMinor: number;
}

/** One version of a quote: the products figure takes the newest sent one of a won deal. */
export interface QuoteFact {
  _id: string;
  version: number;
  opportunityId: string;
  revision: number;
  /** "draft", "pending-approval", "approved" or "sent". */
  status: string;
  currency: string;
  lines: QuoteLineFact[];
  eventAt: Date;
  appliedAt: Date;
}

/** "2.5" -> 2500; a quantity the quote service wrote, so at most 3 decimals. */
export function quantityInMilli(quantity: string): number {
  const [whole = '0', fraction = ''] = quantity.trim().split('.');
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}

export function applyQuoteSnapshot(
  e: Applied,
  q: Omit<QuoteFact, '_id' | 'version' | 'eventAt' | 'appliedAt'>,
): QuoteFact {
  return { _id: e.id, version: e.version, eventAt: e.eventAt, appliedAt: e.appliedAt, ...q };
}
