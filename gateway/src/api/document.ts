import { OpenApiGeneratorV31, OpenAPIRegistry, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { rolesFor } from '@crm/kit/permissions';
import type { Operation, ReplyHeader, Tag } from './operation';
import { XLSX_TYPE } from '../analytics/figure-download';

extendZodWithOpenApi(z);

const TAGS: Record<Tag, string> = {
  Leads: 'Prospects: capture, qualification, assignment, import and conversion into an account.',
  'Lead settings': 'How new leads are assigned to reps and scored.',
  Accounts: 'Companies we sell to: hierarchy, tiers, merges and the account overview.',
  Contacts: 'The people of an account and their roles in the buying committee.',
  Activities: 'Tasks and logged calls, visits and meetings of any record.',
  Pipelines: 'The stages deals move through, with win probabilities, forecast categories and exit criteria.',
  Opportunities: 'Deals: amount, close date, owner, and their moves through the stages of a pipeline.',
  Products: 'The product catalogue: codes, units and list prices per currency.',
  Quotes: 'Quotes on an opportunity: lines priced from the catalogue, totals, versions.',
  Tickets:
    'Service tickets: replies and internal notes, the status workflow, assignment, escalation and resolution.',
  'Public pool': 'Records released by their owner for other reps to claim, and the pool rules.',
  'Ownership transfers': "Moving a user's whole book to another user.",
  Users: 'The user directory: who can own records.',
  'Custom fields': 'Administrator-defined fields of leads, accounts and contacts.',
  Audit: 'Who changed what and when, with before and after: for administrators and reviews.',
  Analytics: 'Sales figures (funnel, pipeline, leaderboard) from read models built from the event streams.',
  Approvals: "Approval requests: the approvers' inbox, decisions, withdrawals and delegations while away.",
  'Approval policies':
    'Which quotes, deal closes and payments need whose approval, with escalation time limits.',
  Payments: 'Payment milestones of deals and their collection after the win: due, overdue, received.',
};

export const FieldError = z
  .object({
    field: z
      .string()
      .openapi({ description: 'The field as named in the request, e.g. lastName or query.limit' }),
    message: z.string(),
  })
  .openapi('FieldError', { description: 'What is wrong with one field of the request' });

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: 'about:blank for the plain HTTP meaning of the status' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().openapi({ description: 'The request path' }),
    errors: z.array(FieldError).optional(),
    existingLeadId: z
      .string()
      .optional()
      .openapi({ description: '409 on a lead duplicate the caller may see: the lead it matches' }),
    existingAccountId: z
      .string()
      .optional()
      .openapi({ description: '409 on an account duplicate the caller may see: the account it matches' }),
    existingOwnerId: z
      .string()
      .optional()
      .openapi({
        description:
          '409 on a duplicate the caller may not see (no id is given then): the user id of its owner, to ask ' +
          'for access',
      }),
    existingTeamId: z.string().optional().openapi({
      description:
        '409 on a duplicate the caller may not see: its team, whose manager can share or reassign it',
    }),
  })
  .openapi('Problem', { description: 'An RFC 9457 problem: every error answer has this shape' });

/** Shared problem responses, one component each; operations refer to them. */
const PROBLEMS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request is invalid; errors[] names the fields' },
  401: { name: 'Unauthorized', description: 'The bearer token is missing, invalid or expired' },
  403: { name: 'Forbidden', description: 'The caller’s roles do not allow this operation on this record' },
  404: { name: 'NotFound', description: 'The record does not exist or is not visible to the caller' },
  409: { name: 'Conflict', description: 'A duplicate, or not allowed in the record’s current state' },
  412: { name: 'PreconditionFailed', description: 'If-Match names an older version: reload and retry' },
  413: { name: 'ContentTooLarge', description: 'The request body is too large' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not of the media type the operation takes' },
  422: { name: 'IdempotencyKeyReused', description: 'The Idempotency-Key was used with a different body' },
  429: { name: 'TooManyRequests', description: 'Rate limit exceeded; retry later' },
  502: { name: 'BadGateway', description: 'A service failed unexpectedly' },
  503: {
    name: 'ServiceUnavailable',
    description: 'A service is unavailable; retry after Retry-After seconds',
  },
  504: { name: 'GatewayTimeout', description: 'A service did not answer in time' },
};

/** The statuses an operation can answer with a problem: its own plus what the pipeline may give. */
export function problemStatuses(op: Operation): number[] {
  const s = new Set<number>([400, 401, 403, 429, 502, 503, 504, ...(op.errors ?? [])]);
  if (op.params) s.add(404);
  // Any change can meet a conflicting state (a duplicate, a record merged or converted meanwhile).
  if (op.method !== 'get') s.add(409);
  if (op.ifMatch) s.add(412);
  if (op.body) [413, 415].forEach((x) => s.add(x));
  if (op.idempotent) s.add(422);
  return [...s].sort();
}

const HEADERS: Record<ReplyHeader, { description: string; schema: { type: 'string' } }> = {
  ETag: { description: 'The version of the record, for If-Match', schema: { type: 'string' } },
  Location: { description: 'Where the record lives', schema: { type: 'string' } },
  Warning: { description: 'Set when a part of the answer is missing', schema: { type: 'string' } },
};

/**
 * If-Match is optional on every operation. What a change without it does, by kind: a PATCH sends only
 * the fields it changes, so without a check the last writer wins field by field and other fields are
 * kept; a PUT replaces the whole document; an action (POST, DELETE) applies to the current version and
 * the service still checks the record's state.
 */
const WITHOUT_IF_MATCH: Record<Operation['method'], string> = {
  patch:
    'without it, the fields in the body overwrite the current ones (last writer wins, field by field; ' +
    'fields not sent are kept, and a list such as participantContactIds is one field)',
  put: 'without it, the body replaces the current document whatever its version (last writer wins)',
  post: 'without it, the action applies to the current version; the record’s state is still checked',
  delete: 'without it, the current version is removed',
  get: '',
};

const ifMatchFor = (op: Operation) =>
  z
    .string()
    .optional()
    .openapi({
      param: {
        name: 'If-Match',
        in: 'header',
        required: false,
        description:
          `Optional: the ETag of the version you read ("<version>"); a changed record is then a 412. ` +
          `${WITHOUT_IF_MATCH[op.method]}. Send it when your change depends on what you read.`,
      },
    });
const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .openapi({
    param: {
      name: 'Idempotency-Key',
      in: 'header',
      description:
        'Any unique string (e.g. a UUID); a retry with the same key and body gives the first answer',
    },
  });

const rolesText = (op: Operation) => `Roles: ${rolesFor(op.permission).join(', ')}.`;

/** The OpenAPI 3.1 document of the operations, built from the same zod schemas that validate requests. */
export function buildOpenApiDocument(ops: Operation[], prefix = '/api/v1'): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token of the Keycloak realm crm (audience crm-api)',
  });
  registry.register('Problem', ProblemSchema);
  const problemRefs = new Map<number, { $ref: string }>();
  const ref = (status: number) => {
    let r = problemRefs.get(status);
    if (!r) {
      const p = PROBLEMS[status]!;
      registry.registerComponent('responses', p.name, {
        description: p.description,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      });
      r = { $ref: `#/components/responses/${p.name}` };
      problemRefs.set(status, r);
    }
    return r;
  };
  for (const op of ops) {
    const headers = [...(op.ifMatch ? [ifMatchFor(op)] : []), ...(op.idempotent ? [idempotencyKey] : [])];
    const success = Object.entries(op.responses).map(([status, r]) => [
      status,
      {
        description: r!.description,
        ...(r!.headers?.length
          ? { headers: Object.fromEntries(r!.headers.map((h) => [h, HEADERS[h]])) }
          : {}),
        ...(r!.schema || r!.mediaType
          ? {
              content: {
                ...(r!.schema ? { 'application/json': { schema: r!.schema } } : {}),
                ...(r!.csv ? { 'text/csv': { schema: { type: 'string' } } } : {}),
                ...(r!.xlsx ? { [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } } : {}),
                ...(r!.mediaType ? { [r!.mediaType]: { schema: { type: 'string', format: 'binary' } } } : {}),
              },
            }
          : {}),
      },
    ]);
    const type = op.bodyType ?? 'application/json';
    registry.registerPath({
      method: op.method,
      path: `${prefix}${op.path}`,
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      description: `${op.description}\n\n${rolesText(op)}`,
      security: [{ [bearer.name]: [] }],
      request: {
        ...(op.params ? { params: op.params } : {}),
        ...(op.query ? { query: op.query } : {}),
        ...(headers.length ? { headers } : {}),
        ...(op.body
          ? { body: { required: true, content: { [type]: { schema: op.bodyDoc ?? op.body } } } }
          : {}),
      },
      responses: {
        ...Object.fromEntries(success),
        ...Object.fromEntries(problemStatuses(op).map((s) => [s, ref(s)])),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version: '1.0.0',
      description:
        'Public REST API of the CRM. Authenticate with a bearer token from Keycloak; errors are RFC 9457 ' +
        'problem+json; changes may take If-Match with the ETag of the version you read (without it, the ' +
        'last writer wins); creates take an ' +
        'Idempotency-Key. See gateway/README.md for the integrator guide.',
      contact: { name: 'CRM maintainers' },
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The gateway serving this document' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  });
}
