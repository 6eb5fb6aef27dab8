import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { serviceTicket as pb } from '@crm/proto';
import { id, Ticket } from './schemas';

extendZodWithOpenApi(z);

const key = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a key such as billing (a-z, 0-9 and -)');
export const MAX_BULK = 200;

export const MergeBody = z
  .object({ intoTicketId: id.openapi({ description: 'The ticket that stays (same account, not closed)' }) })
  .strict()
  .openapi('TicketMergeInput');

export const MergeResult = z
  .object({
    duplicate: Ticket.openapi({ description: 'The duplicate, closed, with `mergedIntoTicketId`' }),
    target: Ticket.openapi({ description: "The ticket that stays, with the duplicate's comments and files" }),
  })
  .openapi('TicketMergeResult');

export const BulkBody = z
  .discriminatedUnion('action', [
    z
      .object({
        action: z.literal('assign'),
        ticketIds: z.array(id).min(1).max(MAX_BULK),
        assigneeId: z.string().trim().min(1).max(64),
        queue: key.optional().openapi({ description: 'Also move them to this queue' }),
      })
      .strict(),
    z
      .object({
        action: z.literal('status'),
        ticketIds: z.array(id).min(1).max(MAX_BULK),
        status: z.enum(['open', 'pending']),
        pendingReason: z.enum(['customer', 'internal']).optional(),
      })
      .strict(),
    z
      .object({
        action: z.literal('add-tag'),
        ticketIds: z.array(id).min(1).max(MAX_BULK),
        tag: key,
      })
      .strict(),
  ])
  .openapi('TicketBulkInput');

const ItemProblem = z
  .object({
    status: z
      .number()
      .int()
      .openapi({ description: 'The HTTP status this ticket alone would have answered' }),
    code: z
      .string()
      .openapi({ description: 'not-found, conflict, forbidden, invalid, version-mismatch, unavailable' }),
    detail: z.string(),
  })
  .openapi('TicketBulkItemProblem');

export const BulkResult = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        ok: z.boolean(),
        version: z.number().int().nullable().openapi({ description: 'The version afterwards, when ok' }),
        problem: ItemProblem.nullable(),
      }),
    ),
    succeeded: z.number().int(),
    failed: z.number().int(),
  })
  .openapi('TicketBulkResult');

/** The status a ticket's own request would have answered, per error kind of the service. */
const STATUS_OF: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  duplicate: 409,
  'version-mismatch': 409,
  unavailable: 503,
};

export const bulkToJson = (r: pb.BulkUpdateTicketsResponse): z.input<typeof BulkResult> => {
  const items = r.results.map((x) => ({
    id: x.ticketId,
    ok: x.ok,
    version: x.ok ? Number(x.version) : null,
    problem: x.ok ? null : { status: STATUS_OF[x.errorKind] ?? 500, code: x.errorKind, detail: x.message },
  }));
  const succeeded = items.filter((x) => x.ok).length;
  return { items, succeeded, failed: items.length - succeeded };
};

const FollowAccountTransfer = z.enum(['none', 'assignee']);

export const ServiceSettingsBody = z
  .object({
    autoCloseDays: z.number().int().min(1).max(365).openapi({
      description: 'A resolved ticket the customer does not answer closes itself after this many days',
    }),
    reopenWindowDays: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .openapi({ description: 'A closed ticket may be reopened within this many days of closing' }),
    confirmationLinkDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .openapi({ description: "How long a customer's confirmation link works; at least autoCloseDays" }),
    defaultWarnAtPercent: z
      .number()
      .int()
      .min(1)
      .max(99)
      .openapi({ description: 'Warning percentage of SLA policies that set none (warnAtPercent 0)' }),
    followAccountTransfer: FollowAccountTransfer.optional().openapi({
      description:
        'What follows an account when it changes owner (reassigned, or moved by an ownership transfer): ' +
        '`none` (the default: support ownership is by queue) or `assignee` (its open tickets assigned to ' +
        'the previous owner go to the new one). Left out: the saved value stays.',
    }),
  })
  .strict()
  .openapi('ServiceSettingsInput');

export const ServiceSettings = ServiceSettingsBody.extend({
  followAccountTransfer: FollowAccountTransfer,
  version: z.number().int().openapi({ description: '0 while the deployment defaults apply' }),
  updatedAt: z.string().nullable(),
  updatedBy: z.string(),
})
  .strip()
  .openapi('ServiceSettings');

export const serviceSettingsToJson = (s: pb.ServiceSettings): z.input<typeof ServiceSettings> => ({
  version: Number(s.version),
  autoCloseDays: s.autoCloseDays,
  reopenWindowDays: s.reopenWindowDays,
  confirmationLinkDays: s.confirmationLinkDays,
  defaultWarnAtPercent: s.defaultWarnAtPercent,
  // Older services answer no value: tickets did not follow accounts then.
  followAccountTransfer: (s.followAccountTransfer || 'none') as 'none' | 'assignee',
  updatedAt: s.updatedAt?.toISOString() ?? null,
  updatedBy: s.updatedBy,
});
