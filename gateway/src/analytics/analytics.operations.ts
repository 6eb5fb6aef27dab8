import { type CsvValue, toCsv } from '@crm/kit';
import type { analytics } from '@crm/proto';
import type { z } from 'zod';
import { operation, type Operation, type Reply } from '../api/operation';
import type { Actor } from '../auth';
import { Funnel, FigureQuery, Leaderboard, PipelineFigures, RebuildReport } from './schemas';

type Query = z.output<typeof FigureQuery>;

/** A rebuild reads every stream from its start; it answers when the new models are live. */
const REBUILD_DEADLINE_MS = 10 * 60_000;

const toProtoQuery = (q: Query, actor: Actor): analytics.FigureQuery => ({
  from: q.from ?? '',
  to: q.to ?? '',
  period: q.period ?? '',
  ownerId: q.owner === 'me' ? actor.userId : (q.owner ?? ''),
  teamId: q.team ?? '',
  pipelineId: q.pipeline ?? '',
});

/** The JSON body, or the same table as a CSV download. */
function table(q: Query, name: string, body: unknown, header: string[], rows: CsvValue[][]): Reply {
  if (q.format !== 'csv') return { body };
  return {
    body: toCsv(header, rows),
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.csv"`,
    },
  };
}

const amounts = (won: { currency: string; amountMinor: number }[]) =>
  won.map((a) => `${a.currency} ${a.amountMinor}`).join('; ');

const figureDoc = {
  permission: 'analytics.sales.read',
  tag: 'Analytics',
  query: FigureQuery,
} as const;

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
      'a sales manager their teams, an admin all. `format=csv` downloads the table.',
    responses: { 200: { description: 'The funnel', schema: Funnel } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getFunnel(toProtoQuery(q, actor), o));
      const steps = res.steps.map((s) => ({
        ...s,
        count: Number(s.count),
        dropOff: Number(s.dropOff),
        period: s.period || null,
      }));
      return table(
        q,
        'funnel',
        { steps },
        ['period', 'step', 'count', 'conversionRate', 'dropOff'],
        steps.map((s) => [s.period, s.step, s.count, s.conversionRate, s.dropOff]),
      );
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
      'forecast category, per currency. `from`/`to` bound the expected close day. `format=csv` downloads the table.',
    responses: { 200: { description: 'The pipeline', schema: PipelineFigures } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getPipeline(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        deals: Number(r.deals),
        amountMinor: Number(r.amountMinor),
        weightedAmountMinor: Number(r.weightedAmountMinor),
      }));
      return table(
        q,
        'pipeline',
        { rows },
        ['closePeriod', 'forecastCategory', 'currency', 'deals', 'amountMinor', 'weightedAmountMinor'],
        rows.map((r) => [
          r.closePeriod,
          r.forecastCategory,
          r.currency,
          r.deals,
          r.amountMinor,
          r.weightedAmountMinor,
        ]),
      );
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
      'currency, for records created from `from` to `to`. `format=csv` downloads the table.',
    responses: { 200: { description: 'The leaderboard', schema: Leaderboard } },
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
      }));
      return table(
        q,
        'leaderboard',
        { rows },
        ['ownerId', 'period', 'leads', 'leadsConverted', 'conversionRate', 'deals', 'dealsWon', 'won'],
        rows.map((r) => [
          r.ownerId,
          r.period,
          r.leads,
          r.leadsConverted,
          r.conversionRate,
          r.deals,
          r.dealsWon,
          amounts(r.won),
        ]),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/analytics/rebuild',
    operationId: 'rebuildAnalytics',
    tag: 'Analytics',
    summary: 'Rebuild the analytics read models',
    description:
      'Reads every event stream from its start into new read models beside the live ones and swaps when ' +
      'done, so figures never go blank; answers when the new models are live. Admins only; 409 while one runs.',
    permission: 'analytics.rebuild',
    errors: [409],
    responses: { 200: { description: 'The rebuild is done', schema: RebuildReport } },
    async handler({ call, deps }) {
      const r = await call((o) => deps.clients.analytics.rebuild({}, o), { deadlineMs: REBUILD_DEADLINE_MS });
      return {
        body: {
          generation: Number(r.generation),
          events: Number(r.events),
          durationMs: Number(r.durationMs),
        },
      };
    },
  }),
];
