import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { lead } from '@crm/proto';
import { FieldError } from '../api/document';
import { protoEnum } from '../api/proto-enum';
import { CustomFieldValues } from '../custom-fields/schemas';

extendZodWithOpenApi(z);

/** Lead statuses as REST names, from the proto enum the lead service maps its domain to. */
export const leadStatus = protoEnum(lead.LeadStatus, 'LEAD_STATUS_');
export const LEAD_STATUSES = leadStatus.values;
type LeadStatusName = (typeof LEAD_STATUSES)[number];

export const SORTS = [
  'createdAt',
  '-createdAt',
  'score',
  '-score',
  'lastName',
  '-lastName',
  'company',
  '-company',
] as const;

const str = (max: number) => z.string().max(max);
const companySize = z.number().int().min(0).max(10_000_000);
const attributes = z.record(z.string().min(1).max(64), z.string().max(1000));

const leadInputShape = {
  firstName: str(100).optional(),
  lastName: z.string().trim().min(1).max(100),
  email: str(254).optional(),
  phone: str(40).optional(),
  company: str(200).optional(),
  title: str(200).optional(),
  contactLevel: str(20).optional().openapi({ description: 'c-level, vp, director, manager, staff or empty' }),
  region: str(50).optional(),
  industry: str(100).optional(),
  source: str(50).optional(),
  companySize: companySize.optional(),
  attributes: attributes.optional(),
  customFields: CustomFieldValues.optional(),
};

export const CreateLeadBody = z
  .object({ ...leadInputShape, allowDuplicate: z.boolean().optional() })
  .strict()
  .openapi('CreateLead');

export const PatchLeadBody = z
  .object({
    ...leadInputShape,
    lastName: leadInputShape.lastName.optional(),
    ownerId: str(64).optional().openapi({ description: 'Reassign (sales-manager, crm-admin)' }),
    teamId: str(64).optional().openapi({ description: 'Reassign (sales-manager, crm-admin)' }),
    customFields: CustomFieldValues.optional().openapi({
      description: 'Custom field values to set; keys not listed stay, a null value removes one',
    }),
  })
  .strict()
  .openapi('PatchLead');

export const StatusBody = z
  .object({ status: z.enum(LEAD_STATUSES), reason: str(1000).optional() })
  .strict()
  .openapi('ChangeLeadStatus');

export const AssignBody = z
  .object({
    ownerId: str(64).optional(),
    teamId: str(64).optional(),
    reason: z.string().trim().min(1).max(1000),
  })
  .strict()
  .openapi('AssignLead');

export const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid id') });

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export const ListQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (!v) return [] as LeadStatusName[];
        const parts = v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        for (const p of parts) {
          if (!(LEAD_STATUSES as readonly string[]).includes(p)) {
            ctx.addIssue({ code: 'custom', message: `unknown status "${p}"` });
            return z.NEVER;
          }
        }
        return parts as LeadStatusName[];
      })
      .openapi({ type: 'string', description: 'Comma-separated statuses' }),
    ownerId: str(64).optional().openapi({ description: 'A user id or "me"' }),
    source: str(50).optional(),
    region: str(50).optional(),
    industry: str(100).optional(),
    createdFrom: isoDate.optional(),
    createdTo: isoDate.optional(),
    q: str(200).optional(),
    sort: z.enum(SORTS).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: str(1000).optional(),
  })
  .strict();

export const ImportQuery = z.object({ allowDuplicates: z.enum(['true', 'false']).optional() }).strict();

export const Assignment = z
  .object({
    ownerId: z.string(),
    teamId: z.string(),
    queue: z.string(),
    assignedBy: z.string(),
    reason: z.string(),
    ruleId: z.string(),
    at: z.string().nullable(),
  })
  .openapi('Assignment');

export const Lead = z
  .object({
    id: z.string(),
    version: z.number().int(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    phone: z.string(),
    company: z.string(),
    title: z.string(),
    contactLevel: z.string(),
    region: z.string(),
    industry: z.string(),
    source: z.string(),
    companySize: z.number().int().nullable(),
    attributes: z.record(z.string(), z.string()),
    customFields: z.record(z.string(), z.unknown()).openapi({
      description: 'Values of custom fields by key (archived fields are left out)',
    }),
    status: z.enum(LEAD_STATUSES),
    disqualifyReason: z.string(),
    ownerId: z.string(),
    teamId: z.string(),
    queue: z.string(),
    score: z.number().int(),
    assignments: z.array(Assignment),
    createdAt: z.string().nullable(),
    createdBy: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('Lead');

export const LeadList = z
  .object({ items: z.array(Lead), nextCursor: z.string().nullable() })
  .openapi('LeadList');

export const ImportResult = z
  .object({
    created: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    results: z.array(
      z.object({
        row: z.number().int(),
        outcome: z.enum(['created', 'duplicate', 'rejected']),
        leadId: z.string().optional(),
        existingLeadId: z.string().optional(),
        errors: z.array(FieldError).optional(),
      }),
    ),
  })
  .openapi('ImportResult');

const id = z.string().min(1).max(64);
const list = (max: number) => z.array(z.string().max(max)).max(100).default([]);

export const RuleMatch = z
  .object({
    regions: list(50),
    industries: list(100),
    sources: list(50),
    contactLevels: list(20),
    companySizeMin: companySize.optional(),
    companySizeMax: companySize.optional(),
  })
  .strict()
  .openapi('RuleMatch');

export const AssignmentRule = z
  .object({
    id,
    name: str(200).default(''),
    match: RuleMatch.default({ regions: [], industries: [], sources: [], contactLevels: [] }),
    teamId: str(64).default(''),
    members: z.array(id).max(500).default([]),
    maxOpenLeadsPerRep: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .openapi('AssignmentRule');

export const AssignmentRulesBody = z
  .object({
    version: z.number().int().optional().openapi({ description: 'Ignored; use If-Match' }),
    defaultQueue: str(100).default(''),
    rules: z.array(AssignmentRule).max(500),
  })
  .strict()
  .openapi('AssignmentRulesInput');

export const AssignmentRules = z
  .object({
    version: z.number().int(),
    defaultQueue: z.string(),
    rules: z.array(AssignmentRule),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('AssignmentRules');

export const ScoringRule = z
  .object({
    id,
    field: z.enum([
      'region',
      'industry',
      'source',
      'contact_level',
      'company_size',
      'title',
      'email',
      'phone',
    ]),
    values: z.array(z.string().max(200)).max(200).default([]),
    min: z.number().optional(),
    max: z.number().optional(),
    present: z.boolean().optional(),
    points: z.number().int().min(-1000).max(1000),
  })
  .strict()
  .openapi('ScoringRule');

export const ScoringModelBody = z
  .object({ version: z.number().int().optional(), rules: z.array(ScoringRule).max(200) })
  .strict()
  .openapi('ScoringModelInput');

export const ScoringModel = z
  .object({
    version: z.number().int(),
    rules: z.array(ScoringRule),
    updatedAt: z.string().nullable(),
    updatedBy: z.string(),
  })
  .openapi('ScoringModel');

/** Columns accepted by POST /api/v1/leads/import (header row required). */
export const CSV_COLUMNS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'title',
  'contactLevel',
  'region',
  'industry',
  'source',
  'companySize',
] as const;
