import type { analytics } from '@crm/proto';
import { operation, type Operation } from '../api/operation';
import { figureReply, tableOf } from './figure-download';
import { figureDoc, toProtoQuery } from './figure-query';
import { Funnel, Leaderboard, PipelineFigures, RebuildStatus } from './schemas';
import { salesFigureOperations } from './sales-figures.operations';
import { serviceFigureOperations } from './service-figures.operations';

const rebuildToJson = (r: analytics.RebuildStatus) => ({
  state: r.state,
  generation: Number(r.generation),
  events: Number(r.events),
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
  startedBy: r.startedBy,
  error: r.error || null,
});

const amounts = (won: { currency: string; amountMinor: number }[]) =>
  won.map((a) => `${a.currency} ${a.amountMinor}`).join('; ');

/** Sales figures from the analytics service's read models; rebuilt on demand by an admin. */
export const analyticsOperations: Operation[] = [
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/funnel',
    operationId: 'getFunnel',
    summary: 'Sales funnel',
    description:
      'Lead -> qualified -> converted -> opportunity -> each open stage -> won: counts, conversion rate and ' +
      'drop-off of each step, for leads and deals created from `from` to `to`. A rep sees their own records, ' +
      'a sales manager their teams, an admin all. `format=csv` or `xlsx` downloads the table.',
    responses: { 200: { description: 'The funnel', schema: Funnel, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getFunnel(toProtoQuery(q, actor), o));
      const steps = res.steps.map((s) => ({
        ...s,
        count: Number(s.count),
        dropOff: Number(s.dropOff),
        period: s.period || null,
      }));
      return figureReply(q, 'funnel', { steps }, [
        {
          name: 'steps',
          header: ['period', 'step', 'count', 'conversionRate', 'dropOff'],
          rows: steps.map((s) => [s.period, s.step, s.count, s.conversionRate, s.dropOff]),
        },
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/pipeline',
    operationId: 'getPipelineFigures',
    summary: 'Open pipeline by close month and forecast category',
    description:
      'Open deals: their amount and probability-weighted amount by expected close month (or `period`) and ' +
      'forecast category, per currency. `from`/`to` bound the expected close day. `format=csv` or `xlsx` downloads the table.',
    responses: { 200: { description: 'The pipeline', schema: PipelineFigures, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getPipeline(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        deals: Number(r.deals),
        amountMinor: Number(r.amountMinor),
        weightedAmountMinor: Number(r.weightedAmountMinor),
      }));
      return figureReply(q, 'pipeline', { rows }, [
        tableOf(
          'rows',
          ['closePeriod', 'forecastCategory', 'currency', 'deals', 'amountMinor', 'weightedAmountMinor'],
          rows,
        ),
      ]);
    },
  }),
  operation({
    ...figureDoc,
    method: 'get',
    path: '/analytics/leaderboard',
    operationId: 'getLeaderboard',
    summary: 'Sales leaderboard',
    description:
      'Per rep: leads, leads converted and the conversion rate, deals, deals won and the amount won per ' +
      'currency, for records created from `from` to `to`; the money collected on their deals (receipts that ' +
      'arrived in the range) and their activities (calls, visits and meetings that happened, tasks completed) ' +
      'by kind. `format=csv` or `xlsx` downloads the table.',
    responses: { 200: { description: 'The leaderboard', schema: Leaderboard, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getLeaderboard(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ownerId: r.ownerId,
        period: r.period || null,
        leads: Number(r.leads),
        leadsConverted: Number(r.leadsConverted),
        conversionRate: r.conversionRate,
        deals: Number(r.deals),
        dealsWon: Number(r.dealsWon),
        won: r.won.map((a) => ({ currency: a.currency, amountMinor: Number(a.amountMinor) })),
        paymentsCollected: r.paymentsCollected.map((a) => ({
          currency: a.currency,
          amountMinor: Number(a.amountMinor),
        })),
        activities: r.activities.map((a) => ({
          kind: a.kind as 'call' | 'visit' | 'meeting' | 'task',
          count: a.count,
        })),
      }));
      return figureReply(q, 'leaderboard', { rows }, [
        {
          name: 'rows',
          header: [
            'ownerId',
            'period',
            'leads',
            'leadsConverted',
            'conversionRate',
            'deals',
            'dealsWon',
            'won',
            'paymentsCollected',
            'activities',
          ],
          rows: rows.map((r) => [
            r.ownerId,
            r.period,
            r.leads,
            r.leadsConverted,
            r.conversionRate,
            r.deals,
            r.dealsWon,
            amounts(r.won),
            amounts(r.paymentsCollected),
            r.activities.map((a) => `${a.kind} ${a.count}`).join('; '),
          ]),
        },
      ]);
    },
  }),
  ...salesFigureOperations,
  ...serviceFigureOperations,
  operation({
    method: 'post',
    path: '/analytics/rebuild',
    operationId: 'rebuildAnalytics',
    tag: 'Analytics',
    summary: 'Start rebuilding the analytics read models',
    description:
      'Reads every event stream from its start into new read models beside the live ones, which swap ' +
      'when done, so figures never go blank. Answers at once (202) with the rebuild; GET the same path ' +
      'to follow it. While one runs, answers with that one. Admins only.',
    permission: 'analytics.rebuild',
    responses: { 202: { description: 'The rebuild runs', schema: RebuildStatus } },
    async handler({ call, deps }) {
      const r = await call((o) => deps.clients.analytics.rebuild({}, o));
      return { status: 202, body: rebuildToJson(r) };
    },
  }),
  operation({
    method: 'get',
    path: '/analytics/rebuild',
    operationId: 'getAnalyticsRebuild',
    tag: 'Analytics',
    summary: 'The last rebuild of the analytics read models',
    description:
      'Running, done or failed, with how many events it read; state "none" before the first. Admins only.',
    permission: 'analytics.rebuild',
    responses: { 200: { description: 'The last rebuild', schema: RebuildStatus } },
    async handler({ call, deps }) {
      return { body: rebuildToJson(await call((o) => deps.clients.analytics.getRebuild({}, o))) };
    },
  }),
];
