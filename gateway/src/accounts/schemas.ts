import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { BUYING_ROLES, RFM_SEGMENTS } from '@crm/kit/domain';
import { account as pb } from '@crm/proto';
import { protoEnum } from '../api/proto-enum';
import { CUSTOM_FIELD_VALUES_DESCRIPTION, KEY } from '../custom-fields/schemas';

extendZodWithOpenApi(z);

/** Lifecycles and tiers as REST names, from the proto enums the account service maps its domain to. */
export const lifecycle = protoEnum(pb.AccountLifecycle, 'ACCOUNT_LIFECYCLE_');
export const tier = protoEnum(pb.AccountTier, 'ACCOUNT_TIER_');
export const LIFECYCLES = lifecycle.values;
export const TIERS = tier.values;
export const ACCOUNT_SORTS = ['createdAt', '-createdAt', 'name', '-name'] as const;

const str = (max: number) => z.string().max(max);
export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id');

export const Money = z
  .object({
    currencyCode: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code, e.g. USD')
      .openapi({ example: 'USD' }),
    amount: z
      .string()
      .regex(/^\d{1,18}(\.\d{1,6})?$/, 'a non-negative decimal string, e.g. "1234.50"')
      .openapi({ example: '250000.00' }),
  })
  .strict()
  .openapi('Money', { description: 'A decimal amount as a string and its ISO 4217 currency code' });

const customValue = z.union([
  z.string().max(10_000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string().max(1000), z.number(), z.boolean()])).max(200),
]);
/**
 * Values of administrator-defined custom fields, by field key. Keys follow the key rule of
 * @crm/custom-fields (never `$...` or dotted), values are JSON scalars or lists of them. The account
 * service checks them against the current definitions (unknown keys, types, constraints; errors name
 * `customFields.<key>`). Not a named component: the OpenAPI document types it per entity (see
 * custom-fields/openapi.ts).
 */
export const CustomFields = z
  .record(z.string().regex(KEY), customValue, {
    error: (issue) =>
      issue.code === 'invalid_key'
        ? 'is not a custom field key (a lower-case letter, then a-z, 0-9 and _; at most 40)'
        : undefined,
  })
  .refine((o) => Object.keys(o).length <= 100, 'at most 100 custom fields')
  .openapi({ description: CUSTOM_FIELD_VALUES_DESCRIPTION });

const accountInputShape = {
  name: z.string().trim().min(1).max(200),
  website: str(2000).optional().openapi({ description: 'URL or domain; stored as the normalised domain' }),
  industry: str(100).optional(),
  region: str(50).optional(),
  size: z.number().int().min(0).max(100_000_000).optional().openapi({ description: 'Number of employees' }),
  annualRevenue: Money.optional().openapi({ description: 'Annual revenue with us' }),
  openPipeline: Money.optional().openapi({ description: 'Value of open opportunities' }),
  parentAccountId: id.or(z.literal('')).optional(),
  lifecycle: z.enum(LIFECYCLES).optional(),
  ownerId: str(64).optional().openapi({ description: 'Another owner: sales-manager, crm-admin, integrator' }),
  teamId: str(64).optional(),
  customFields: CustomFields.optional(),
};

export const CreateAccountBody = z
  .object({ ...accountInputShape, allowDuplicate: z.boolean().optional() })
  .strict()
  .openapi('CreateAccount');

export const PatchAccountBody = z
  .object({
    ...accountInputShape,
    name: accountInputShape.name.optional(),
    annualRevenue: Money.nullable().optional().openapi({ description: 'null clears it' }),
    openPipeline: Money.nullable().optional().openapi({ description: 'null clears it' }),
    ownerId: str(64).optional().openapi({ description: 'Reassign (sales-manager, crm-admin)' }),
    teamId: str(64).optional().openapi({ description: 'Reassign (sales-manager, crm-admin)' }),
    customFields: CustomFields.optional().openapi({
      description: 'Custom field values to set; keys not listed stay, a null value removes one',
    }),
  })
  .strict()
  .openapi('PatchAccount');

export const IdParams = z.object({ id });

export const AccountListQuery = z
  .object({
    q: str(200).optional(),
    industry: str(100).optional(),
    region: str(50).optional(),
    lifecycle: z.enum(LIFECYCLES).optional(),
    tier: z.enum(TIERS).optional(),
    rfmSegment: z
      .enum(RFM_SEGMENTS)
      .optional()
      .openapi({ description: 'Only accounts analytics scored into this RFM segment' }),
    ownerId: str(64).optional().openapi({ description: 'A user id or "me"' }),
    parentAccountId: id.optional(),
    sort: z.enum(ACCOUNT_SORTS).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: str(1000).optional(),
  })
  .strict();

export const TierOverrideBody = z
  .object({ tier: z.enum(TIERS), reason: z.string().trim().min(1).max(1000) })
  .strict()
  .openapi('TierOverrideInput');

export const MergeBody = z
  .object({ mergedAccountId: id.openapi({ description: 'The account merged into this one' }) })
  .strict()
  .openapi('MergeAccounts');

const KeyPerson = z
  .object({ id: z.string(), name: z.string(), title: z.string(), buyingRole: z.string() })
  .openapi('KeyPerson');

export const Account = z
  .object({
    id: z.string(),
    version: z.number().int(),
    name: z.string(),
    domain: z.string(),
    industry: z.string(),
    region: z.string(),
    size: z.number().int().nullable(),
    annualRevenue: Money.nullable(),
    openPipeline: Money.nullable(),
    parentAccountId: z.string(),
    lifecycle: z.enum(LIFECYCLES),
    ownerId: z.string(),
    teamId: z.string(),
    tier: z.enum(TIERS).openapi({ description: 'Effective tier: the override if set, else computed' }),
    computedTier: z.enum(TIERS),
    tierRuleId: z.string(),
    rfmSegment: z.enum(['', ...RFM_SEGMENTS]).openapi({
      description:
        'The RFM segment analytics last scored the account into (every 15 minutes by default); empty while ' +
        'not scored. Tier rules may use it.',
    }),
    tierOverride: z
      .object({ tier: z.enum(TIERS), reason: z.string(), setBy: z.string(), setAt: z.string().nullable() })
      .nullable(),
    primaryContactId: z.string(),
    primaryContact: KeyPerson.nullable().openapi({ description: 'The key person at a glance' }),
    customFields: z.record(z.string(), z.unknown()).openapi({
      description: 'Values of custom fields by key (archived fields are left out)',
    }),
    lastActivityAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Account');

export const AccountList = z
  .object({ items: z.array(Account), nextCursor: z.string().nullable() })
  .openapi('AccountList');

const contactShape = {
  firstName: str(100).optional(),
  lastName: z.string().trim().min(1).max(100),
  email: str(254).optional(),
  phone: str(40).optional(),
  title: str(200).optional(),
  department: str(200).optional(),
  reportsToContactId: id.or(z.literal('')).optional(),
  buyingRole: z
    .enum(BUYING_ROLES)
    .or(z.literal(''))
    .optional()
    .openapi({ description: `Buying-committee role: ${BUYING_ROLES.join(', ')}` }),
  primary: z.boolean().optional().openapi({ description: 'Make this the primary contact of the account' }),
  customFields: CustomFields.optional(),
};

export const CreateContactBody = z.object(contactShape).strict().openapi('CreateContact');

export const PatchContactBody = z
  .object({
    ...contactShape,
    lastName: contactShape.lastName.optional(),
    customFields: CustomFields.optional().openapi({
      description: 'Custom field values to set; keys not listed stay, a null value removes one',
    }),
  })
  .strict()
  .openapi('PatchContact');

export const Contact = z
  .object({
    id: z.string(),
    version: z.number().int(),
    accountId: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    phone: z.string(),
    title: z.string(),
    department: z.string(),
    reportsToContactId: z.string(),
    buyingRole: z.string(),
    primary: z.boolean(),
    customFields: z.record(z.string(), z.unknown()).openapi({
      description: 'Values of custom fields by key (archived fields are left out)',
    }),
    lastActivityAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Contact');

export const ContactList = z
  .object({ items: z.array(Contact), nextCursor: z.string().nullable() })
  .openapi('ContactList');

export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: str(1000).optional(),
  })
  .strict();

export const TierRule = z
  .object({
    id: z.string().min(1).max(64),
    name: str(200).default(''),
    tier: z.enum(TIERS),
    annualRevenueMin: Money.optional(),
    openPipelineMin: Money.optional(),
    industries: z.array(str(100)).max(100).default([]),
    sizeMin: z.number().int().min(0).max(100_000_000).optional(),
    sizeMax: z.number().int().min(0).max(100_000_000).optional(),
    rfmSegments: z
      .array(z.enum(RFM_SEGMENTS))
      .max(RFM_SEGMENTS.length)
      .default([])
      .openapi({
        description:
          "The account's RFM segment (see GET /analytics/accounts/rfm) is one of these; empty means any. " +
          'An account not scored yet (no deal won) does not match a rule that lists segments.',
      }),
  })
  .strict()
  .openapi('TierRule', { description: 'Accounts meeting every set condition get the tier' });

export const TierRulesBody = z
  .object({
    version: z.number().int().optional().openapi({ description: 'Ignored; use If-Match' }),
    defaultTier: z.enum(TIERS).default('C'),
    rules: z.array(TierRule).max(200),
  })
  .strict()
  .openapi('TierRulesInput');

export const TierRules = z
  .object({
    version: z.number().int(),
    defaultTier: z.enum(TIERS),
    rules: z.array(TierRule),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('TierRules');
