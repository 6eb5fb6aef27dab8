import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  Activity,
  ActivityList,
  ActivityListQuery,
  CreateActivityBody,
  PatchActivityBody,
} from '../activities/schemas';
import {
  Account,
  AccountList,
  AccountListQuery,
  Contact,
  ContactList,
  CreateAccountBody,
  CreateContactBody,
  IdParams,
  MergeBody,
  PageQuery,
  PatchAccountBody,
  PatchContactBody,
  TierOverrideBody,
  TierRules,
  TierRulesBody,
} from './schemas';

/** The shared pieces of openapi.ts that a module's paths use. */
interface Kit {
  security: { [name: string]: string[] }[];
  json: (description: string, schema: z.ZodType) => object;
  problem: (description: string) => object;
  body: (schema: z.ZodType) => object;
  common: Record<number, object>;
  ifMatch: z.ZodObject;
}

const idempotencyKey = z.object({ 'idempotency-key': z.string().optional() });

/** How `cf.<key>=value` list filters work, for the description of each list that takes them. */
const customFilters = (what: string) =>
  `Custom fields filter with \`cf.<key>=value\` (the value parsed by the field type; a multi-enum field ` +
  `matches ${what} whose list contains the value; a date yyyy-mm-dd matches that day). Unknown or ` +
  'archived keys are a 400.';

const part = (items: z.ZodType, name: string) =>
  z
    .union([
      z.object({ status: z.literal('ok'), items: z.array(items), more: z.boolean() }),
      z.object({ status: z.literal('unavailable'), detail: z.string() }),
    ])
    .openapi(name);

export const Overview = z
  .object({
    account: Account,
    contacts: part(Contact, 'OverviewContacts').openapi({ description: 'Key persons first' }),
    activities: part(Activity, 'OverviewActivities').openapi({ description: 'The latest 20' }),
    partial: z.boolean().openapi({
      description: 'true when a part is unavailable (a Warning header names it); later services add parts',
    }),
  })
  .openapi('AccountOverview');

/** Accounts, contacts, activities and the tier rules. */
export function registerAccountPaths(registry: OpenAPIRegistry, k: Kit): void {
  const { security, json, problem, body, common, ifMatch } = k;
  const accountPath = '/api/v1/accounts/{id}';
  const notFound = { 404: problem('Not found or not visible') };
  // The helpers return plain objects; the registry's types want its own shapes.
  const path = (p: object) => registry.registerPath({ security, ...p } as never);

  path({
    method: 'post',
    path: '/api/v1/accounts',
    summary: 'Create an account (Idempotency-Key supported)',
    request: { body: body(CreateAccountBody), headers: idempotencyKey },
    responses: {
      201: json('Created (Location, ETag)', Account),
      ...common,
      409: problem('Duplicate domain or name (existingAccountId)'),
      422: problem('Idempotency-Key reused with another body'),
    },
  });
  path({
    method: 'get',
    path: '/api/v1/accounts',
    summary: 'List accounts visible to the caller',
    description: customFilters('accounts'),
    request: { query: AccountListQuery },
    responses: { 200: json('A page of accounts', AccountList), ...common },
  });
  path({
    method: 'get',
    path: accountPath,
    summary: 'Get an account; a merged account redirects (308) to its survivor',
    request: { params: IdParams },
    responses: {
      200: json('The account (ETag header)', Account),
      308: { description: 'The account was merged; Location names the survivor' },
      ...common,
      ...notFound,
    },
  });
  path({
    method: 'patch',
    path: accountPath,
    summary: 'Update an account (ownerId/teamId need sales-manager or crm-admin)',
    request: { params: IdParams, headers: ifMatch, body: body(PatchAccountBody) },
    responses: {
      200: json('The updated account', Account),
      ...common,
      ...notFound,
      409: problem('Duplicate, hierarchy cycle, or the account was merged'),
      412: problem('Stale If-Match'),
    },
  });
  path({
    method: 'put',
    path: `${accountPath}/tier`,
    summary: 'Set the tier by hand, with a reason (sales-manager, crm-admin)',
    request: { params: IdParams, headers: ifMatch, body: body(TierOverrideBody) },
    responses: { 200: json('The account', Account), ...common, ...notFound, 412: problem('Stale If-Match') },
  });
  path({
    method: 'delete',
    path: `${accountPath}/tier`,
    summary: 'Clear the manual tier; the computed tier applies again (sales-manager, crm-admin)',
    request: { params: IdParams, headers: ifMatch },
    responses: { 200: json('The account', Account), ...common, ...notFound, 412: problem('Stale If-Match') },
  });
  path({
    method: 'post',
    path: `${accountPath}/merge`,
    summary:
      'Merge another account into this one: contacts and activities move, the merged id redirects here (sales-manager, crm-admin)',
    request: { params: IdParams, body: body(MergeBody), headers: idempotencyKey },
    responses: {
      200: json('The surviving account', Account),
      ...common,
      ...notFound,
      409: problem('One of the accounts was already merged into another'),
    },
  });
  path({
    method: 'get',
    path: `${accountPath}/overview`,
    summary:
      'The account with its contacts (key persons first) and latest activities; a part that does not answer in time is marked unavailable',
    request: { params: IdParams },
    responses: {
      200: json('The overview (partial: true and a Warning header when a part is missing)', Overview),
      308: { description: 'The account was merged; Location names the survivor' },
      ...common,
      ...notFound,
    },
  });
  path({
    method: 'post',
    path: `${accountPath}/contacts`,
    summary: 'Add a contact to an account (the first one becomes primary; Idempotency-Key supported)',
    request: { params: IdParams, body: body(CreateContactBody), headers: idempotencyKey },
    responses: {
      201: json('Created (Location, ETag)', Contact),
      ...common,
      ...notFound,
      409: problem('Reporting-line cycle'),
    },
  });
  path({
    method: 'get',
    path: `${accountPath}/contacts`,
    summary: 'The contacts of an account, key persons first',
    description: customFilters('contacts'),
    request: { params: IdParams, query: PageQuery },
    responses: { 200: json('A page of contacts', ContactList), ...common, ...notFound },
  });
  path({
    method: 'get',
    path: '/api/v1/contacts/{id}',
    summary: 'Get a contact',
    request: { params: IdParams },
    responses: { 200: json('The contact (ETag header)', Contact), ...common, ...notFound },
  });
  path({
    method: 'patch',
    path: '/api/v1/contacts/{id}',
    summary: 'Update a contact (primary: true makes it the primary contact)',
    request: { params: IdParams, headers: ifMatch, body: body(PatchContactBody) },
    responses: {
      200: json('The contact', Contact),
      ...common,
      ...notFound,
      409: problem('Reporting-line cycle'),
      412: problem('Stale If-Match'),
    },
  });
  path({
    method: 'post',
    path: '/api/v1/activities',
    summary: 'Create a task or log a call, visit or meeting (Idempotency-Key supported)',
    request: { body: body(CreateActivityBody), headers: idempotencyKey },
    responses: { 201: json('Created (Location, ETag)', Activity), ...common, ...notFound },
  });
  path({
    method: 'get',
    path: '/api/v1/activities',
    summary:
      'List activities: ?relatedTo=<id>, ?accountId=<id> (with its contacts), or ?assignee=me&due=today|overdue',
    request: { query: ActivityListQuery },
    responses: { 200: json('A page of activities', ActivityList), ...common, ...notFound },
  });
  path({
    method: 'get',
    path: '/api/v1/activities/{id}',
    summary: 'Get an activity',
    request: { params: IdParams },
    responses: { 200: json('The activity (ETag header)', Activity), ...common, ...notFound },
  });
  path({
    method: 'patch',
    path: '/api/v1/activities/{id}',
    summary: 'Update an activity; done: true completes a task',
    request: { params: IdParams, headers: ifMatch, body: body(PatchActivityBody) },
    responses: {
      200: json('The activity', Activity),
      ...common,
      ...notFound,
      412: problem('Stale If-Match'),
    },
  });
  path({
    method: 'get',
    path: '/api/v1/account-tier-rules',
    summary: 'Get the account tier rules',
    responses: { 200: json('The tier rules', TierRules), ...common },
  });
  path({
    method: 'put',
    path: '/api/v1/account-tier-rules',
    summary: 'Replace the account tier rules; accounts are re-tiered in the background (crm-admin)',
    request: { headers: ifMatch, body: body(TierRulesBody) },
    responses: { 200: json('The tier rules', TierRules), ...common, 412: problem('Stale If-Match') },
  });
}
