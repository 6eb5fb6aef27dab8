import type { analytics as pb } from '@crm/proto';
import type { RawQuery } from '../application/figures';
import type { RebuildStatus, StoredRates } from '../application/ports';
import type { FunnelStep, LeaderboardRow, PipelineRow } from '../domain/figures';
import type { Figures } from '../application/figures';
import type { AccuracyRow } from '../domain/forecast-accuracy';
import type { PaymentFigures } from '../domain/payment-facts';
import type { ForecastRow, ProductRow } from '../domain/sales-figures';

export const fromProtoQuery = (q: pb.FigureQuery): RawQuery => ({
  from: q.from,
  to: q.to,
  period: q.period,
  ownerId: q.ownerId,
  teamId: q.teamId,
  pipelineId: q.pipelineId,
  queue: q.queue,
  source: q.source,
  region: q.region,
  currency: q.currency,
});

// int64 travels as a decimal string (ts-proto's forceLong=string).
export const toProtoStep = (s: FunnelStep): pb.FunnelStep => ({
  ...s,
  count: String(s.count),
  dropOff: String(s.dropOff),
});

export const toProtoPipelineRow = (r: PipelineRow): pb.PipelineRow => ({
  ...r,
  deals: String(r.deals),
  amountMinor: String(r.amountMinor),
  weightedAmountMinor: String(r.weightedAmountMinor),
});

export const toProtoLeaderboardRow = (r: LeaderboardRow): pb.LeaderboardRow => ({
  ...r,
  leads: String(r.leads),
  leadsConverted: String(r.leadsConverted),
  deals: String(r.deals),
  dealsWon: String(r.dealsWon),
  won: r.won.map((a) => ({ currency: a.currency, amountMinor: String(a.amountMinor) })),
  paymentsCollected: r.paymentsCollected.map((a) => ({
    currency: a.currency,
    amountMinor: String(a.amountMinor),
  })),
});

export const toProtoForecastRow = (r: ForecastRow): pb.ForecastRow => ({
  ...r,
  amountMinor: String(r.amountMinor),
  weightedAmountMinor: String(r.weightedAmountMinor),
});

export const toProtoProductRow = (r: ProductRow): pb.ProductRow => ({
  ...r,
  revenueMinor: String(r.revenueMinor),
});

export const toProtoRebuildStatus = (r: RebuildStatus | undefined): pb.RebuildStatus =>
  r
    ? {
        state: r.state,
        generation: String(r.generation),
        events: String(r.events),
        startedAt: r.startedAt,
        finishedAt: r.finishedAt ?? undefined,
        startedBy: r.startedBy,
        error: r.error,
      }
    : {
        state: 'none',
        generation: '0',
        events: '0',
        startedAt: undefined,
        finishedAt: undefined,
        startedBy: '',
        error: '',
      };

export const toProtoPayments = (f: PaymentFigures): pb.PaymentFigures => ({
  asOf: f.asOf,
  rows: f.rows.map((r) => ({ ...r, dueMinor: String(r.dueMinor), collectedMinor: String(r.collectedMinor) })),
  overdue: f.overdue.map((r) => ({ ...r, amountMinor: String(r.amountMinor) })),
});

export const toProtoRates = (r: StoredRates): pb.ExchangeRates => ({
  reportingCurrency: r.reportingCurrency,
  rates: r.rates,
  version: String(r.version),
  updatedAt: r.version ? r.updatedAt : undefined,
  updatedBy: r.updatedBy,
});

export const toProtoRfm = (r: Awaited<ReturnType<Figures['accountsRfm']>>): pb.AccountsRfm => ({
  asOf: r.asOf,
  currency: r.currency,
  rows: r.rows.map((row) => ({ ...row, monetaryMinor: String(row.monetaryMinor) })),
  segments: r.segments,
  skippedDeals: r.skipped,
});

export const toProtoAccuracyRow = (r: AccuracyRow): pb.AccuracyRow => ({
  ...r,
  committedMinor: String(r.committedMinor),
  wonFromCommitMinor: String(r.wonFromCommitMinor),
  wonMinor: String(r.wonMinor),
});
