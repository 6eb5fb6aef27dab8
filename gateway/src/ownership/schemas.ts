import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.:-]+$/, 'must be an id');
const userId = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\w.@:-]+$/, 'must be a user id (Keycloak subject)');

export const POOL_TYPES = ['lead', 'account', 'opportunity'] as const;
export const TRANSFER_SCOPES = ['lead', 'account', 'contact', 'task', 'opportunity'] as const;

export const ConvertParams = z.object({ id });
export const ConvertBody = z
  .object({
    accountId: id.optional().openapi({
      description:
        'Convert into this existing account; by default the account is found by the lead’s email domain or company name, or created',
    }),
    opportunity: z
      .object({
        name: z.string().min(1).max(200),
        amount: z
          .number()
          .int()
          .min(0)
          .max(Number.MAX_SAFE_INTEGER)
          .default(0)
          .openapi({ description: 'Integer minor units of the currency (cents, fen)', example: 200000000 }),
        currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code, e.g. EUR'),
        closeDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date yyyy-mm-dd')
          .optional()
          .openapi({ description: 'Expected close date' }),
      })
      .strict()
      .optional()
      .openapi({ description: 'Also open a deal with the customer (first stage of the default pipeline)' }),
  })
  .strict()
  .openapi('ConvertLeadBody');
export const Conversion = z
  .object({
    leadId: z.string(),
    accountId: z.string(),
    contactId: z.string(),
    opportunityId: z
      .string()
      .nullable()
      .openapi({ description: 'The deal opened with the conversion; null when none was asked for' }),
    accountCreated: z.boolean().openapi({ description: 'false when an existing account was linked' }),
    leadVersion: z.number().int(),
  })
  .openapi('LeadConversion');

export const PoolQuery = z
  .object({
    type: z.enum(POOL_TYPES),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export const ReleaseBody = z
  .object({ type: z.enum(POOL_TYPES), id, reason: z.string().trim().min(1).max(500) })
  .strict()
  .openapi('ReleaseToPoolBody');
export const ClaimParams = z.object({ type: z.enum(POOL_TYPES), id });
export const PoolTypeParams = z.object({ type: z.enum(POOL_TYPES) });
export const PooledRecord = z
  .object({
    type: z.enum(POOL_TYPES),
    id: z.string(),
    name: z.string(),
    ownerId: z.string().nullable(),
    teamId: z.string().nullable(),
    pooled: z.boolean(),
    releasedAt: z.string().nullable(),
    releasedBy: z.string().nullable(),
    releaseReason: z.string().nullable(),
    lastActivityAt: z.string().nullable(),
    version: z.number().int(),
  })
  .openapi('PooledRecord');
export const PoolList = z
  .object({ items: z.array(PooledRecord), nextCursor: z.string().nullable() })
  .openapi('PoolList');
const poolSettingsShape = {
  maxClaimsPerDay: z.number().int().min(0).max(10_000).openapi({ description: '0 = no limit' }),
  releaseAfterInactiveDays: z.number().int().min(0).max(3650).openapi({ description: '0 = never' }),
};
export const PoolSettingsBody = z
  .object(poolSettingsShape)
  .strict()
  .openapi('PoolSettingsBody', { description: 'The rules of the pool of one record type' });
// Its own object, not PoolSettingsBody extended: the body is closed (strict), the answer has more fields.
export const PoolSettings = z
  .object({
    type: z.enum(POOL_TYPES),
    ...poolSettingsShape,
    version: z.number().int(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('PoolSettings', { description: 'The rules of the pool of one record type' });

export const TransferBody = z
  .object({
    fromUserId: userId,
    toUserId: userId,
    toTeamId: z.string().trim().max(100).optional().openapi({ description: 'Team set on moved records' }),
    scope: z.array(z.enum(TRANSFER_SCOPES)).max(10).optional().openapi({ description: 'Default: all' }),
  })
  .strict()
  .openapi('OwnershipTransferBody');
export const TransferParams = z.object({ id });
export const Transfer = z
  .object({
    id: z.string(),
    fromUserId: z.string(),
    toUserId: z.string(),
    scope: z.array(z.string()),
    status: z.enum(['running', 'completed']),
    progress: z.array(
      z.object({
        entity: z.string(),
        moved: z.number().int(),
        done: z.boolean(),
        reportedAt: z.string().nullable(),
      }),
    ),
    counts: z.record(z.string(), z.number().int()).openapi({ description: 'Records moved per entity type' }),
    createdBy: z.string(),
    createdAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .openapi('OwnershipTransfer');
export const TransferList = z
  .object({ items: z.array(Transfer), nextCursor: z.string().nullable() })
  .openapi('OwnershipTransferList');
