import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { RFM_SEGMENTS } from '@crm/kit/domain';
import { TIERS } from '../accounts/schemas';
import { z } from 'zod';

extendZodWithOpenApi(z);

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day yyyy-mm-dd');
const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'must be an id');

const figureFilters = {
  from: day.optional().openapi({ description: 'First day counted (UTC), inclusive' }),
  to: day.optional().openapi({ description: 'Last day counted (UTC), inclusive' }),
  period: z
    .enum(['day', 'week', 'month', 'quarter'])
    .optional()
    .openapi({ description: 'Group the figures by day, ISO week, month or quarter' }),
  format: z
    .enum(['json', 'csv', 'xlsx'])
    .default('json')
    .openapi({
      description:
        'csv downloads one table (text/csv), xlsx every table of the figure as a workbook; cells that would ' +
        'run as formulas are neutralised in both',
    }),
  table: z
    .string()
    .regex(/^[a-zA-Z]{1,32}$/, 'a table name')
    .optional()
    .openapi({ description: 'With format=csv: which table of the figure (default its first, `rows`)' }),
};

export const FigureQuery = z
  .object({
    ...figureFilters,
    owner: id.optional().openapi({ description: 'Only the records of this user (Keycloak subject) or "me"' }),
    team: id.optional().openapi({ description: 'Only the records of this team' }),
    pipeline: id
      .optional()
      .openapi({ description: 'The pipeline whose stages the funnel shows; default: the default pipeline' }),
    source: id.optional().openapi({
      description:
        'Only leads of this source (web, event, ...) and the deals converted from them; a deal opened ' +
        'without a lead matches no source',
    }),
    currency: z
      .enum(['reporting'])
      .optional()
      .openapi({
        description:
          "reporting: amounts in the admin's reporting currency (GET /analytics/exchange-rates), each at the rate " +
          'valid on the day that counts for it; left out: each amount in the currency it was recorded in',
      }),
    region: id.optional().openapi({
      description:
        'Only leads of this sales region (emea, apac, ...) and the deals converted from them; a deal ' +
        'opened without a lead matches no region',
    }),
  })
  .strict();

export const ServiceFigureQuery = z
  .object({
    ...figureFilters,
    owner: id
      .optional()
      .openapi({ description: 'Only the tickets this agent works (Keycloak subject) or "me"' }),
    queue: id.optional().openapi({ description: 'Only the tickets of this queue' }),
  })
  .strict();

export const FunnelStep = z
  .object({
    period: z
      .string()
      .nullable()
      .openapi({ description: 'The period, e.g. 2026-12 or 2026-W49; null without period' }),
    step: z.string().openapi({ description: 'lead, qualified, converted, opportunity, stage:<key> or won' }),
    count: z.number().int(),
    conversionRate: z.number().openapi({ description: 'count / the previous step count (0..1)' }),
    dropOff: z.number().int().openapi({ description: 'The previous step count minus this one' }),
  })
  .openapi('FunnelStep');

export const Funnel = z.object({ steps: z.array(FunnelStep) }).openapi('Funnel');

export const PipelineRow = z
  .object({
    closePeriod: z
      .string()
      .openapi({ description: 'Expected close month (or the period asked for); "none" without a date' }),
    forecastCategory: z.enum(['pipeline', 'best-case', 'commit']),
    currency: z.string(),
    deals: z.number().int(),
    amountMinor: z.number().int().openapi({ description: 'Open amount, minor units' }),
    weightedAmountMinor: z
      .number()
      .int()
      .openapi({ description: 'Amount times win probability, minor units' }),
  })
  .openapi('PipelineRow');

export const PipelineFigures = z.object({ rows: z.array(PipelineRow) }).openapi('PipelineFigures');

export const LeaderboardRow = z
  .object({
    ownerId: z.string(),
    period: z.string().nullable(),
    leads: z.number().int(),
    leadsConverted: z.number().int(),
    conversionRate: z.number(),
    deals: z.number().int(),
    dealsWon: z.number().int(),
    won: z.array(z.object({ currency: z.string(), amountMinor: z.number().int() })),
    paymentsCollected: z
      .array(z.object({ currency: z.string(), amountMinor: z.number().int() }))
      .openapi({ description: "Money that arrived in the range on the rep's deals, per currency" }),
    activities: z
      .array(z.object({ kind: z.enum(['call', 'visit', 'meeting', 'task']), count: z.number().int() }))
      .openapi({ description: 'Calls, visits and meetings that happened and tasks completed in the range' }),
  })
  .openapi('LeaderboardRow');

export const Leaderboard = z.object({ rows: z.array(LeaderboardRow) }).openapi('Leaderboard');

export const RebuildStatus = z
  .object({
    state: z.enum(['running', 'done', 'failed', 'none']).openapi({ description: '"none": no rebuild yet' }),
    generation: z
      .number()
      .int()
      .openapi({ description: 'The generation it builds; once done, the one answering' }),
    events: z.number().int().openapi({ description: 'Events read from the streams so far' }),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    startedBy: z.string().openapi({ description: 'Keycloak subject of who started it' }),
    error: z.string().nullable().openapi({ description: 'Why it failed' }),
  })
  .openapi('AnalyticsRebuild');

const period = z.string().nullable().openapi({ description: 'The period; null without period' });
const rate = z.number().openapi({ description: '0..1' });

export const WinRate = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          closed: z.number().int(),
          won: z.number().int(),
          lost: z.number().int(),
          winRate: rate,
        })
        .openapi('WinRateRow'),
    ),
    lossReasons: z.array(z.object({ key: z.string(), deals: z.number().int() }).openapi('LossReasonCount')),
    competitors: z.array(z.object({ key: z.string(), deals: z.number().int() }).openapi('CompetitorCount')),
  })
  .openapi('WinRate');

export const SalesCycle = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          outcome: z.enum(['won', 'lost']),
          deals: z.number().int(),
          averageDays: z.number(),
          medianDays: z.number(),
        })
        .openapi('SalesCycleRow'),
    ),
    stages: z.array(
      z
        .object({
          stage: z.string(),
          stays: z.number().int(),
          averageDays: z.number(),
          medianDays: z.number(),
        })
        .openapi('StageVelocityRow'),
    ),
  })
  .openapi('SalesCycle');

export const Forecast = z
  .object({
    rows: z.array(
      z
        .object({
          closePeriod: z
            .string()
            .openapi({ description: '"none" for an open deal without an expected close date' }),
          forecastCategory: z.enum(['pipeline', 'best-case', 'commit', 'closed']),
          ownerId: z.string(),
          teamId: z.string(),
          currency: z.string(),
          deals: z.number().int(),
          amountMinor: z.number().int(),
          weightedAmountMinor: z.number().int(),
        })
        .openapi('ForecastRow'),
    ),
  })
  .openapi('Forecast');

export const PaymentFigures = z
  .object({
    asOf: z.string().openapi({ description: 'The day overdue is counted at: today, or `to` when earlier' }),
    rows: z.array(
      z
        .object({
          period: z.string().openapi({ description: 'The period, month unless `period` names another' }),
          currency: z.string(),
          due: z.number().int().openapi({ description: 'Milestones due in the period' }),
          dueMinor: z.number().int(),
          collected: z.number().int().openapi({ description: 'Receipts that arrived in the period' }),
          collectedMinor: z.number().int(),
        })
        .openapi('PaymentRow'),
    ),
    overdue: z.array(
      z
        .object({
          currency: z.string(),
          bucket: z.enum(['1-30', '31-60', '61-90', '90+']).openapi({ description: 'Days past due' }),
          milestones: z.number().int(),
          amountMinor: z.number().int(),
        })
        .openapi('OverdueRow'),
    ),
  })
  .openapi('PaymentFigures');

const SEGMENT = z.enum(RFM_SEGMENTS);
const score = z.number().int().min(1).max(5);

export const AccountsRfm = z
  .object({
    asOf: z.string().openapi({ description: 'The day recency is counted to: today, or `to` when earlier' }),
    currency: z.string().openapi({ description: 'The currency of monetaryMinor' }),
    rows: z.array(
      z
        .object({
          accountId: z.string(),
          accountName: z
            .string()
            .openapi({ description: "The account's name ('' until analytics has seen it)" }),
          accountTier: z.enum(['', ...TIERS]).openapi({
            description:
              "The account's tier now, which tier rules may base on the segment ('' like accountName)",
          }),
          lastPurchaseDay: z
            .string()
            .openapi({ description: 'The later of the last win and the last payment' }),
          recencyDays: z.number().int(),
          frequency: z.number().int().openapi({ description: 'Deals won in the range' }),
          monetaryMinor: z.number().int().openapi({ description: 'Their amount' }),
          currency: z.string(),
          recencyScore: score,
          frequencyScore: score,
          monetaryScore: score,
          segment: SEGMENT,
        })
        .openapi('RfmRow'),
    ),
    segments: z.array(z.object({ segment: SEGMENT, accounts: z.number().int() })),
    skippedDeals: z
      .number()
      .int()
      .openapi({ description: 'Won deals left out: no exchange rate converts their currency' }),
  })
  .openapi('AccountsRfm');

export const ForecastAccuracy = z
  .object({
    rows: z.array(
      z
        .object({
          period: z.string(),
          currency: z.string(),
          committedDeals: z.number().int().openapi({
            description: 'Open in a commit stage on the period’s first day, expected to close in the period',
          }),
          committedMinor: z.number().int(),
          wonFromCommitDeals: z.number().int().openapi({ description: 'Of those, won within the period' }),
          wonFromCommitMinor: z.number().int(),
          wonDeals: z.number().int().openapi({ description: 'Every deal won in the period' }),
          wonMinor: z.number().int(),
          accuracy: z.number().openapi({ description: 'wonFromCommitMinor / committedMinor (0..1)' }),
        })
        .openapi('AccuracyRow'),
    ),
  })
  .openapi('ForecastAccuracy');

export const ProductFigures = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          productId: z.string(),
          productCode: z.string(),
          productName: z.string(),
          currency: z.string(),
          deals: z.number().int(),
          quantity: z.number(),
          revenueMinor: z.number().int().openapi({ description: 'Net of discounts, before tax' }),
        })
        .openapi('ProductRow'),
    ),
  })
  .openapi('ProductFigures');

export const ServiceBacklog = z
  .object({
    rows: z.array(
      z
        .object({
          queue: z.string(),
          priority: z.string(),
          status: z.enum(['new', 'open', 'pending']),
          tickets: z.number().int(),
          unassigned: z.number().int(),
        })
        .openapi('BacklogRow'),
    ),
  })
  .openapi('ServiceBacklog');

export const ServiceSla = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          queue: z.string(),
          tickets: z.number().int(),
          firstResponseMet: z.number().int(),
          firstResponseBreached: z.number().int(),
          firstResponseCompliance: rate,
          resolutionMet: z.number().int(),
          resolutionBreached: z.number().int(),
          resolutionCompliance: rate,
        })
        .openapi('SlaRow'),
    ),
  })
  .openapi('ServiceSla');

export const ResolutionTime = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          priority: z.string(),
          resolved: z.number().int(),
          averageResolutionMinutes: z.number(),
          medianResolutionMinutes: z.number(),
          averageFirstResponseMinutes: z.number(),
          medianFirstResponseMinutes: z.number(),
          reopened: z.number().int(),
          reopenRate: rate,
        })
        .openapi('ResolutionTimeRow'),
    ),
  })
  .openapi('ResolutionTime');

export const Csat = z
  .object({
    rows: z.array(
      z
        .object({
          period,
          dimension: z.enum(['all', 'agent', 'queue', 'tier']),
          key: z.string(),
          rated: z.number().int(),
          average: z.number(),
          distribution: z.array(z.number().int()).openapi({ description: 'Answers giving 1, 2, 3, 4 and 5' }),
        })
        .openapi('CsatRow'),
    ),
  })
  .openapi('Csat');
