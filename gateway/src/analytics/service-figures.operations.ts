import { operation, type Operation } from '../api/operation';
import { figureReply, tableOf } from './figure-download';
import { periodOrNull, serviceFigureDoc, toProtoQuery } from './figure-query';
import { Csat, ResolutionTime, ServiceBacklog, ServiceSla } from './schemas';

const access =
  'For support agents, support managers and admins (403 for sales roles); `owner` is the agent working ' +
  'the ticket, `queue` its queue.';
const downloads = '`format=csv` or `xlsx` downloads the table.';

/** Backlog, SLA compliance, resolution time and CSAT: service figures from the ticket events. */
export const serviceFigureOperations: Operation[] = [
  operation({
    ...serviceFigureDoc,
    method: 'get',
    path: '/analytics/service/backlog',
    operationId: 'getServiceBacklog',
    summary: 'Open tickets by queue, priority and status',
    description: `Tickets new, open or pending (created from \`from\` to \`to\`), with how many are unassigned. ${access} ${downloads}`,
    responses: { 200: { description: 'The backlog', schema: ServiceBacklog, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getServiceBacklog(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({ ...r, status: r.status as 'new' | 'open' | 'pending' }));
      return figureReply(q, 'service-backlog', { rows }, [
        tableOf('rows', ['queue', 'priority', 'status', 'tickets', 'unassigned'], rows),
      ]);
    },
  }),
  operation({
    ...serviceFigureDoc,
    method: 'get',
    path: '/analytics/service/sla',
    operationId: 'getServiceSla',
    summary: 'SLA compliance and breaches',
    description:
      'Of the tickets an SLA measures, created from `from` to `to`, per period and queue: first-response ' +
      'and resolution targets met and breached, and compliance = met / (met + breached); a target still ' +
      `running counts in neither. ${access} ${downloads}`,
    responses: { 200: { description: 'SLA compliance', schema: ServiceSla, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getServiceSla(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({ ...r, period: periodOrNull(r.period) }));
      return figureReply(q, 'service-sla', { rows }, [
        tableOf(
          'rows',
          [
            'period',
            'queue',
            'tickets',
            'firstResponseMet',
            'firstResponseBreached',
            'firstResponseCompliance',
            'resolutionMet',
            'resolutionBreached',
            'resolutionCompliance',
          ],
          rows,
        ),
      ]);
    },
  }),
  operation({
    ...serviceFigureDoc,
    method: 'get',
    path: '/analytics/service/resolution-time',
    operationId: 'getResolutionTime',
    summary: 'Resolution and first-response times, reopen rate',
    description:
      'Tickets resolved or closed from `from` to `to` (the day of resolution), per period and priority: ' +
      'average and median wall-clock minutes to resolve and to the first reply, and how many of them had ' +
      `been reopened before (reopen rate). ${access} ${downloads}`,
    responses: { 200: { description: 'Resolution times', schema: ResolutionTime, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getResolutionTime(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({ ...r, period: periodOrNull(r.period) }));
      return figureReply(q, 'service-resolution-time', { rows }, [
        tableOf(
          'rows',
          [
            'period',
            'priority',
            'resolved',
            'averageResolutionMinutes',
            'medianResolutionMinutes',
            'averageFirstResponseMinutes',
            'medianFirstResponseMinutes',
            'reopened',
            'reopenRate',
          ],
          rows,
        ),
      ]);
    },
  }),
  operation({
    ...serviceFigureDoc,
    method: 'get',
    path: '/analytics/service/csat',
    operationId: 'getCsat',
    summary: 'Customer satisfaction',
    description:
      'Satisfaction answers (1-5) of the tickets created from `from` to `to`, per period: overall ' +
      '(dimension "all"), by agent, by queue and by account tier, with the average and how many gave each ' +
      `score. ${access} ${downloads}`,
    responses: { 200: { description: 'CSAT', schema: Csat, csv: true, xlsx: true } },
    async handler({ query: q, actor, call, deps }) {
      const res = await call((o) => deps.clients.analytics.getCsat(toProtoQuery(q, actor), o));
      const rows = res.rows.map((r) => ({
        ...r,
        period: periodOrNull(r.period),
        dimension: r.dimension as 'all' | 'agent' | 'queue' | 'tier',
      }));
      return figureReply(q, 'service-csat', { rows }, [
        {
          name: 'rows',
          header: [
            'period',
            'dimension',
            'key',
            'rated',
            'average',
            'score1',
            'score2',
            'score3',
            'score4',
            'score5',
          ],
          rows: rows.map((r) => [r.period, r.dimension, r.key, r.rated, r.average, ...r.distribution]),
        },
      ]);
    },
  }),
];
