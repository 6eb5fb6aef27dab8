import type { CallerContext, EventEnvelope } from '@crm/kit';
import type { analytics as pb } from '@crm/proto';
import type { ExchangeRateSettings } from '../application/exchange-rate-settings';
import type { Figures } from '../application/figures';
import type { Rebuild } from '../application/rebuild';
import {
  fromProtoQuery,
  toProtoForecastRow,
  toProtoPayments,
  toProtoRates,
  toProtoRfm,
  toProtoAccuracyRow,
  toProtoProductRow,
  toProtoLeaderboardRow,
  toProtoPipelineRow,
  toProtoRebuildStatus,
  toProtoStep,
} from './analytics.mapper';

/** proto <-> application only; the rules live in the domain and the use cases. */
export function analyticsGrpc(
  figures: Figures,
  rebuild: Rebuild<EventEnvelope>,
  rates: ExchangeRateSettings,
): pb.AnalyticsServiceImplementation<CallerContext> {
  return {
    async getExchangeRates(_req, ctx) {
      return toProtoRates(await rates.get(ctx.actor));
    },
    async saveExchangeRates(req, ctx) {
      const saved = await rates.save(
        Number(req.expectedVersion),
        { reportingCurrency: req.reportingCurrency, rates: req.rates },
        ctx.actor,
      );
      return toProtoRates(saved);
    },
    async getFunnel(req, ctx) {
      return { steps: (await figures.funnel(fromProtoQuery(req), ctx.actor)).map(toProtoStep) };
    },
    async getPipeline(req, ctx) {
      return { rows: (await figures.pipeline(fromProtoQuery(req), ctx.actor)).map(toProtoPipelineRow) };
    },
    async getLeaderboard(req, ctx) {
      return { rows: (await figures.leaderboard(fromProtoQuery(req), ctx.actor)).map(toProtoLeaderboardRow) };
    },
    async getWinRate(req, ctx) {
      return figures.winRate(fromProtoQuery(req), ctx.actor);
    },
    async getSalesCycle(req, ctx) {
      return figures.salesCycle(fromProtoQuery(req), ctx.actor);
    },
    async getForecast(req, ctx) {
      return { rows: (await figures.forecast(fromProtoQuery(req), ctx.actor)).map(toProtoForecastRow) };
    },
    async getProducts(req, ctx) {
      return { rows: (await figures.products(fromProtoQuery(req), ctx.actor)).map(toProtoProductRow) };
    },
    async getPayments(req, ctx) {
      return toProtoPayments(await figures.payments(fromProtoQuery(req), ctx.actor));
    },
    async getForecastAccuracy(req, ctx) {
      return {
        rows: (await figures.forecastAccuracy(fromProtoQuery(req), ctx.actor)).map(toProtoAccuracyRow),
      };
    },
    async getAccountsRfm(req, ctx) {
      return toProtoRfm(await figures.accountsRfm(fromProtoQuery(req), ctx.actor));
    },
    async getServiceBacklog(req, ctx) {
      return { rows: await figures.serviceBacklog(fromProtoQuery(req), ctx.actor) };
    },
    async getServiceSla(req, ctx) {
      return { rows: await figures.serviceSla(fromProtoQuery(req), ctx.actor) };
    },
    async getResolutionTime(req, ctx) {
      return { rows: await figures.resolutionTime(fromProtoQuery(req), ctx.actor) };
    },
    async getCsat(req, ctx) {
      return { rows: await figures.csat(fromProtoQuery(req), ctx.actor) };
    },
    async rebuild(_req, ctx) {
      return toProtoRebuildStatus(await rebuild.start(ctx.actor));
    },
    async getRebuild(_req, ctx) {
      return toProtoRebuildStatus(await rebuild.status(ctx.actor));
    },
  };
}
