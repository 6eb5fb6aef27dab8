import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

const time = z.iso.datetime({ offset: true });
const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'must be an id');

export const AuditQuery = z
  .object({
    userId: id.optional().openapi({ description: 'Only changes made by this user (Keycloak subject)' }),
    recordType: z
      .string()
      .regex(/^[a-z][a-z-]{0,39}$/, 'must be a record type such as lead')
      .optional()
      .openapi({ description: 'Only changes of this record type: lead, account, contact, activity, …' }),
    recordId: id.optional().openapi({ description: 'Only changes of this record' }),
    from: time.optional().openapi({ description: 'Only changes at or after this time' }),
    to: time.optional().openapi({ description: 'Only changes before this time' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const FieldChange = z
  .object({
    field: z.string().openapi({ description: 'The field as named in the record, e.g. email' }),
    before: z.unknown().openapi({ description: 'The value before; null when unset or no longer known' }),
    after: z.unknown().openapi({ description: 'The value after; null when cleared' }),
  })
  .openapi('AuditFieldChange');

export const AuditEntry = z
  .object({
    id: z.string().openapi({ description: 'The id of the event the entry records' }),
    service: z.string().openapi({ description: 'The service that made the change, e.g. lead' }),
    eventType: z.string().openapi({ description: 'What happened, e.g. crm.lead.v1.LeadUpdated' }),
    recordType: z.string(),
    recordId: z.string(),
    recordVersion: z.number().int().openapi({ description: 'The record version after the change' }),
    at: z.string().openapi({ description: 'When the change happened (ISO 8601)' }),
    actor: z.object({
      userId: z.string().openapi({ description: 'Keycloak subject of who made the change' }),
      username: z.string(),
    }),
    requestId: z.string().nullable().openapi({ description: 'The API request (X-Request-Id) behind it' }),
    changes: z.array(FieldChange).openapi({
      description: 'Changed fields with before and after; every set field for a creation',
    }),
    details: z.record(z.string(), z.unknown()).nullable().openapi({
      description: 'The event itself when it does not carry the record (an assignment, a status change)',
    }),
  })
  .openapi('AuditEntry', { description: 'One change: who, what, when, before and after' });

export const AuditList = z
  .object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .openapi('AuditEntryList', { description: 'Audit entries, newest first' });
