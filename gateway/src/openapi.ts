import { OpenApiGeneratorV31, OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { registerAccountPaths } from './accounts/openapi';
import { registerCustomFieldPaths } from './custom-fields/openapi';
import { registerOwnershipPaths } from './ownership/openapi';
import {
  AssignBody,
  AssignmentRules,
  AssignmentRulesBody,
  CreateLeadBody,
  IdParams,
  ImportQuery,
  ImportResult,
  Lead,
  LeadList,
  ListQuery,
  PatchLeadBody,
  ProblemSchema,
  ScoringModel,
  ScoringModelBody,
  StatusBody,
} from './leads/schemas';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
const ifMatch = z.object({
  'if-match': z.string().optional().openapi({ description: '"<version>" from the ETag' }),
});

const common = {
  400: problem('Invalid request'),
  401: problem('Missing or invalid bearer token'),
  403: problem('Role or record access forbids'),
  429: problem('Rate limit exceeded'),
  503: problem('A service is unavailable'),
};

/** Builds the OpenAPI 3.1 document from the same zod schemas that validate requests. */
export function buildOpenApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const security = [{ [bearer.name]: [] }];
  const leadPath = '/api/v1/leads/{id}';

  registry.registerPath({
    method: 'post',
    path: '/api/v1/leads',
    summary: 'Create a lead (Idempotency-Key supported)',
    security,
    request: { body: body(CreateLeadBody), headers: z.object({ 'idempotency-key': z.string().optional() }) },
    responses: {
      201: json('Created', Lead),
      ...common,
      409: problem('Duplicate (existingLeadId)'),
      422: problem('Idempotency-Key reused with another body'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/leads',
    summary: 'List leads visible to the caller',
    description:
      'Custom fields filter with `cf.<key>=value` (the value parsed by the field type; a multi-enum field ' +
      'matches leads whose list contains the value; a date yyyy-mm-dd matches that day).',
    security,
    request: { query: ListQuery },
    responses: { 200: json('A page of leads', LeadList), ...common },
  });
  registry.registerPath({
    method: 'get',
    path: leadPath,
    summary: 'Get a lead',
    security,
    request: { params: IdParams },
    responses: {
      200: json('The lead (ETag header)', Lead),
      ...common,
      404: problem('Not found or not visible'),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: leadPath,
    summary: 'Update a lead (ownerId/teamId need sales-manager or crm-admin)',
    security,
    request: { params: IdParams, headers: ifMatch, body: body(PatchLeadBody) },
    responses: {
      200: json('The updated lead', Lead),
      ...common,
      404: problem('Not found'),
      412: problem('Stale If-Match'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: `${leadPath}/status`,
    summary: 'Change the status of a lead',
    security,
    request: { params: IdParams, headers: ifMatch, body: body(StatusBody) },
    responses: {
      200: json('The lead', Lead),
      ...common,
      404: problem('Not found'),
      409: problem('Transition not allowed'),
      412: problem('Stale If-Match'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: `${leadPath}/assign`,
    summary: 'Assign a lead manually (sales-manager, crm-admin)',
    security,
    request: { params: IdParams, headers: ifMatch, body: body(AssignBody) },
    responses: {
      200: json('The lead', Lead),
      ...common,
      404: problem('Not found'),
      412: problem('Stale If-Match'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/leads/import',
    summary: 'Import leads from CSV (max 10,000 rows; sales-manager, crm-admin, integrator)',
    security,
    request: {
      query: ImportQuery,
      body: {
        required: true,
        content: {
          'text/csv': {
            schema: z.string().openapi({
              description:
                'Header row: firstName,lastName,email,phone,company,title,contactLevel,region,industry,source,companySize ' +
                'and cf.<key> for custom fields (multi-enum values separated by ";")',
            }),
          },
        },
      },
    },
    responses: {
      200: json('Per-row report', ImportResult),
      ...common,
      413: problem('Too large'),
      415: problem('Not text/csv'),
    },
  });
  for (const [path, out, input, what] of [
    ['/api/v1/lead-assignment-rules', AssignmentRules, AssignmentRulesBody, 'lead assignment rules'],
    ['/api/v1/lead-scoring', ScoringModel, ScoringModelBody, 'lead scoring model'],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path,
      summary: `Get the ${what} (sales-manager, crm-admin)`,
      security,
      responses: { 200: json(`The ${what}`, out), ...common },
    });
    registry.registerPath({
      method: 'put',
      path,
      summary: `Replace the ${what} (crm-admin)`,
      security,
      request: { headers: ifMatch, body: body(input) },
      responses: { 200: json(`The ${what}`, out), ...common, 412: problem('Stale If-Match') },
    });
  }

  registerOwnershipPaths(registry, { security, json, problem, body, common, ifMatch });
  registerAccountPaths(registry, { security, json, problem, body, common, ifMatch });
  registerCustomFieldPaths(registry, { security, json, problem, body, common, ifMatch });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version: '1.0.0',
      description: 'Public REST API of the CRM. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/' }],
  });
}
