import { decodeCursor, encodeCursor } from '@crm/kit';
import type { audit } from '@crm/proto';
import { operation, type Operation } from '../api/operation';
import { HttpProblem } from '../http/problem';
import { AuditList, AuditQuery } from './schemas';

type Entry = audit.AuditEntry & { service: string };

const parse = (s: string): unknown => (s ? JSON.parse(s) : null);

function entryToJson(e: Entry) {
  return {
    id: e.eventId,
    service: e.service,
    eventType: e.eventType,
    recordType: e.recordType,
    recordId: e.recordId,
    recordVersion: Number(e.recordVersion),
    at: (e.occurredAt ?? new Date(0)).toISOString(),
    actor: { userId: e.actorUserId, username: e.actorUsername },
    requestId: e.requestId || null,
    changes: e.changes.map((c) => ({
      field: c.field,
      before: parse(c.beforeJson),
      after: parse(c.afterJson),
    })),
    details: e.detailsJson ? (parse(e.detailsJson) as Record<string, unknown>) : null,
  };
}

/** Newest first; ties by event id, the same order every service pages in. */
const newestFirst = (a: Entry, b: Entry) =>
  (b.occurredAt?.getTime() ?? 0) - (a.occurredAt?.getTime() ?? 0) ||
  (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0);

/** The audit log: every service keeps its own; the gateway merges them by time. */
export const auditOperations: Operation[] = [
  operation({
    method: 'get',
    path: '/audit',
    operationId: 'listAuditEntries',
    tag: 'Audit',
    summary: 'List audit entries',
    description:
      'Who changed what and when, with the values before and after, across every service, newest first. ' +
      'Filter by user, record and time. Entries are kept for a retention period the operator sets.',
    permission: 'audit.read',
    query: AuditQuery,
    responses: { 200: { description: 'A page of audit entries', schema: AuditList } },
    async handler({ query: q, call, deps }) {
      // A cursor is a position in the merged order, so every service continues from the same one;
      // a made-up one is a 400 here rather than from each service.
      if (q.cursor) {
        try {
          decodeCursor(q.cursor, 'date');
        } catch {
          throw new HttpProblem(400, 'The cursor is not one this API returned.', {
            errors: [{ field: 'query.cursor', message: 'is not a cursor this API returned' }],
          });
        }
      }
      const request = {
        actorUserId: q.userId ?? '',
        recordType: q.recordType ?? '',
        recordId: q.recordId ?? '',
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        page: { limit: q.limit, cursor: q.cursor ?? '' },
      };
      const pages = await Promise.all(
        Object.entries(deps.clients.audit).map(async ([service, client]) => {
          const res = await call((o) => client.listAuditEntries(request, o));
          return { more: !!res.page?.nextCursor, entries: res.entries.map((e) => ({ ...e, service })) };
        }),
      );
      const merged = pages.flatMap((p) => p.entries).sort(newestFirst);
      const items = merged.slice(0, q.limit);
      const last = items[items.length - 1];
      const more = merged.length > q.limit || pages.some((p) => p.more);
      return {
        body: {
          items: items.map(entryToJson),
          nextCursor: more && last ? encodeCursor(last.occurredAt, last.eventId) : null,
        },
      };
    },
  }),
];
