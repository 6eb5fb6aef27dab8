import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day yyyy-mm-dd');
const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'must be an id');

export const FigureQuery = z
  .object({
    from: day.optional().openapi({ description: 'First day counted (UTC), inclusive' }),
    to: day.optional().openapi({ description: 'Last day counted (UTC), inclusive' }),
    period: z
      .enum(['day', 'week', 'month', 'quarter'])
      .optional()
      .openapi({ description: 'Group the figures by day, ISO week, month or quarter' }),
    owner: id.optional().openapi({ description: 'Only the records of this user (Keycloak subject) or "me"' }),
    team: id.optional().openapi({ description: 'Only the records of this team' }),
    pipeline: id
      .optional()
      .openapi({ description: 'The pipeline whose stages the funnel shows; default: the default pipeline' }),
    format: z.enum(['json', 'csv']).default('json').openapi({
      description: 'csv downloads the table (text/csv; cells that would run as formulas are neutralised)',
    }),
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
