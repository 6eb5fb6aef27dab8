import type { analytics } from '@crm/proto';
import type { z } from 'zod';
import type { Actor } from '../auth';
import { FigureQuery, ServiceFigureQuery } from './schemas';

type Query = Partial<z.output<typeof FigureQuery> & z.output<typeof ServiceFigureQuery>>;

/** The service's query from the REST one; `owner=me` is the caller. */
export const toProtoQuery = (q: Query, actor: Actor): analytics.FigureQuery => ({
  from: q.from ?? '',
  to: q.to ?? '',
  period: q.period ?? '',
  ownerId: q.owner === 'me' ? actor.userId : (q.owner ?? ''),
  teamId: q.team ?? '',
  pipelineId: q.pipeline ?? '',
  queue: q.queue ?? '',
  source: q.source ?? '',
  region: q.region ?? '',
  currency: q.currency ?? '',
});

/** What every sales figure shares: its role gate, tag and filters. */
export const figureDoc = {
  permission: 'analytics.sales.read',
  tag: 'Analytics',
  query: FigureQuery,
} as const;

/** What every service figure shares. */
export const serviceFigureDoc = {
  permission: 'analytics.service.read',
  tag: 'Analytics',
  query: ServiceFigureQuery,
} as const;

/** "" (no period) travels as null in JSON, as in every figure. */
export const periodOrNull = (period: string) => period || null;
