import type { z } from 'zod';
import { operation, type Operation } from '../api/operation';
import { figureReply, tableOf } from './figure-download';
import { figureDoc, periodOrNull, toProtoQuery } from './figure-query';
import {
  AccountsRfm,
  Forecast,
  ForecastAccuracy,
  PaymentFigures,
  ProductFigures,
  SalesCycle,
  WinRate,
} from './schemas';

const access = 'A rep sees their own deals, a sales manager their teams, an admin all.';
const downloads =
  '`format=csv` downloads a table (`table=` names which), `format=xlsx` every table as a workbook.';

/** Win rate, sales cycle, forecast and products: sales figures from the deal and quote events. */
export const salesFigureOperations: Operation[] = [
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/win-rate',
    operationId: 'getWinRate',
    summary: 'Win rate, loss reasons and competitors',
    description:
      'Of the deals won or lost from `from` to `to` (the close day): deals closed, won, lost and the win ' +
      `rate per period; lost deals per loss reason and per competitor. ${access} ${downloads}`,
    responses: { 200: { description: 'The win rate', schema: WinRate, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getWinRate(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({ ...r, period: periodOrNull(r.period) }));
      const body = { rows, lossReasons: res.lossReasons, competitors: res.competitors };
      return figureReply(q, 'win-rate', body, [
        tableOf('rows', ['period', 'closed', 'won', 'lost', 'winRate'], rows),
        tableOf('lossReasons', ['key', 'deals'], res.lossReasons),
        tableOf('competitors', ['key', 'deals'], res.competitors),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/sales-cycle',
    operationId: 'getSalesCycle',
    summary: 'Days to close and time in each stage',
    description:
      'Average and median days from creation to close of the deals won or lost from `from` to `to`, won ' +
      'and lost apart, per period; and how long deals stayed in each stage (stays that ended in the range, ' +
      `in the pipeline's stage order). ${access} ${downloads}`,
    responses: { 200: { description: 'The sales cycle', schema: SalesCycle, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getSalesCycle(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        period: periodOrNull(r.period),
        outcome: r.outcome as 'won' | 'lost',
      }));
      return figureReply(q, 'sales-cycle', { rows, stages: res.stages }, [
        tableOf('rows', ['period', 'outcome', 'deals', 'averageDays', 'medianDays'], rows),
        tableOf('stages', ['stage', 'stays', 'averageDays', 'medianDays'], res.stages),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/forecast',
    operationId: 'getForecast',
    summary: 'Forecast by close month, category, owner and team',
    description:
      'Open deals by expected close month (or `period`) and forecast category with their ' +
      'probability-weighted amount, and the deals won in each period (category "closed"), per owner, ' +
      'team and currency (no exchange rates yet). `from`/`to` bound the expected close day of an open ' +
      `deal and the close day of a won one. ${access} ${downloads}`,
    responses: { 200: { description: 'The forecast', schema: Forecast, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getForecast(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        forecastCategory: r.forecastCategory as 'pipeline' | 'best-case' | 'commit' | 'closed',
        amountMinor: Number(r.amountMinor),
        weightedAmountMinor: Number(r.weightedAmountMinor),
      }));
      return figureReply(q, 'forecast', { rows }, [
        tableOf(
          'rows',
          [
            'closePeriod',
            'forecastCategory',
            'ownerId',
            'teamId',
            'currency',
            'deals',
            'amountMinor',
            'weightedAmountMinor',
          ],
          rows,
        ),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/products',
    operationId: 'getProductFigures',
    summary: 'Revenue and quantity by product',
    description:
      'Products sold on the deals won from `from` to `to`: each won deal counts with its newest sent quote ' +
      'revision, in the period of the win; revenue is net of line discounts, before tax, per currency. ' +
      `${access} ${downloads}`,
    responses: { 200: { description: 'Products sold', schema: ProductFigures, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getProducts(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        period: periodOrNull(r.period),
        revenueMinor: Number(r.revenueMinor),
      }));
      return figureReply(q, 'products', { rows }, [
        tableOf(
          'rows',
          [
            'period',
            'productId',
            'productCode',
            'productName',
            'currency',
            'deals',
            'quantity',
            'revenueMinor',
          ],
          rows,
        ),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/payments',
    operationId: 'getPaymentFigures',
    summary: 'Collections: collected vs due, overdue ageing',
    description:
      'Payment milestones of the deals: per period (month unless `period` names another) and currency, the ' +
      'milestones due (by due day) and the money collected (by the day it arrived), within `from`/`to`; ' +
      'and what was overdue at `asOf` (today, or `to` when earlier) in ageing buckets of days past due. ' +
      `Source and region do not apply. ${access} ${downloads} (tables \`rows\` and \`overdue\`)`,
    responses: { 200: { description: 'Collections', schema: PaymentFigures, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getPayments(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        dueMinor: Number(r.dueMinor),
        collectedMinor: Number(r.collectedMinor),
      }));
      const overdue = res.overdue.map((r) => ({
        ...r,
        bucket: r.bucket as '1-30' | '31-60' | '61-90' | '90+',
        amountMinor: Number(r.amountMinor),
      }));
      return figureReply(q, 'payments', { asOf: res.asOf, rows, overdue }, [
        tableOf('rows', ['period', 'currency', 'due', 'dueMinor', 'collected', 'collectedMinor'], rows),
        tableOf('overdue', ['currency', 'bucket', 'milestones', 'amountMinor'], overdue),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/accounts/rfm',
    operationId: 'getAccountsRfm',
    summary: 'RFM scores and segments per account',
    description:
      'Per account with a deal won from `from` to `to` (close day): recency (days since the later of its last ' +
      'win and its last payment), frequency (deals won) and monetary (their amount, in the reporting currency ' +
      'when one is set, else the one currency the deals were won in), each scored 1-5 against the other ' +
      'accounts of the answer, and the segment the scores put it in (champions, loyal, potential-loyalists, ' +
      'new-customers, at-risk, cannot-lose, hibernating, needs-attention). 400 when deals were won in several ' +
      `currencies and no reporting currency is set. ${access} ${downloads} (tables \`rows\` and \`segments\`)`,
    responses: { 200: { description: 'RFM per account', schema: AccountsRfm, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getAccountsRfm(toProtoQuery(q, actor), o));
      type Segment = z.infer<typeof AccountsRfm>['segments'][number]['segment'];
      const rows = res.rows.map((r) => ({
        ...r,
        monetaryMinor: Number(r.monetaryMinor),
        segment: r.segment as Segment,
        accountTier: r.accountTier as z.infer<typeof AccountsRfm>['rows'][number]['accountTier'],
      }));
      const segments = res.segments.map((s) => ({ ...s, segment: s.segment as Segment }));
      return figureReply(
        q,
        'accounts-rfm',
        { asOf: res.asOf, currency: res.currency, rows, segments, skippedDeals: res.skippedDeals },
        [
          tableOf(
            'rows',
            [
              'accountId',
              'accountName',
              'accountTier',
              'lastPurchaseDay',
              'recencyDays',
              'frequency',
              'monetaryMinor',
              'currency',
              'recencyScore',
              'frequencyScore',
              'monetaryScore',
              'segment',
            ],
            rows,
          ),
          tableOf('segments', ['segment', 'accounts'], segments),
        ],
      );
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/forecast/accuracy',
    operationId: 'getForecastAccuracy',
    summary: 'Forecast accuracy: committed at period start vs closed',
    description:
      'Per period (month unless `period` names another) and currency: the deals committed on the period’s ' +
      'first day (open in a stage of forecast category commit, expected to close in the period; the stage ' +
      'from the deal’s stage history, the expected close day as it is now), how many of them were won ' +
      'within the period, every deal won in it, and the accuracy (won from commit / committed, by amount). ' +
      `\`from\`/\`to\` bound the periods’ first days; only periods begun by today. ${access} ${downloads}`,
    responses: { 200: { description: 'Forecast accuracy', schema: ForecastAccuracy, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getForecastAccuracy(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        committedMinor: Number(r.committedMinor),
        wonFromCommitMinor: Number(r.wonFromCommitMinor),
        wonMinor: Number(r.wonMinor),
      }));
      return figureReply(q, 'forecast-accuracy', { rows }, [
        tableOf(
          'rows',
          [
            'period',
            'currency',
            'committedDeals',
            'committedMinor',
            'wonFromCommitDeals',
            'wonFromCommitMinor',
            'wonDeals',
            'wonMinor',
            'accuracy',
          ],
          rows,
        ),
      ]);
    },
  }),
];
