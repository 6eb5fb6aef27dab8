import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { UserList, UsersQuery } from '../users/routes';
import {
  ClaimParams,
  Conversion,
  ConvertBody,
  ConvertParams,
  PoolList,
  PooledRecord,
  PoolQuery,
  PoolSettings,
  PoolSettingsBody,
  PoolTypeParams,
  ReleaseBody,
  Transfer,
  TransferBody,
  TransferList,
  TransferParams,
} from './schemas';

/** The shared pieces of openapi.ts that every module's paths use. */
export interface OpenApiKit {
  security: { [name: string]: string[] }[];
  json: (description: string, schema: z.ZodType) => object;
  problem: (description: string) => object;
  body: (schema: z.ZodType) => object;
  common: Record<number, object>;
  ifMatch: z.ZodObject;
}

const idempotencyKey = z.object({ 'idempotency-key': z.string().optional() });

/** Conversion, the public pool, ownership transfers and the user directory. */
export function registerOwnershipPaths(registry: OpenAPIRegistry, k: OpenApiKit): void {
  const { security, json, problem, body, common, ifMatch } = k;
  registry.registerPath({
    method: 'post',
    path: '/api/v1/leads/{id}/convert',
    summary:
      'Convert a working or qualified lead into an account and a contact (saga; Idempotency-Key makes retries return the same ids)',
    security,
    request: {
      params: ConvertParams,
      headers: idempotencyKey.merge(ifMatch),
      body: body(ConvertBody) as never,
    },
    responses: {
      200: json('What the lead became', Conversion),
      ...common,
      404: problem('Lead (or named account) not found or not visible'),
      409: problem('Not convertible, already converted with another key, or conversion undone'),
      412: problem('Stale If-Match'),
      503: problem(
        'The account service is unavailable; the conversion resumes by itself, retry with the same key',
      ),
    } as never,
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pool',
    summary: 'Records waiting in the public pool (sales roles)',
    security,
    request: { query: PoolQuery },
    responses: { 200: json('A page of pooled records', PoolList), ...common } as never,
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/pool',
    summary: 'Release a lead or account to the pool (owner, team manager, admin)',
    security,
    request: { headers: idempotencyKey.merge(ifMatch), body: body(ReleaseBody) as never },
    responses: {
      200: json('The released record', PooledRecord),
      ...common,
      404: problem('Not found'),
      409: problem('Already in the pool'),
    } as never,
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/pool/{type}/{id}/claim',
    summary: 'Claim a pooled record; one of several concurrent claims wins',
    security,
    request: { params: ClaimParams },
    responses: {
      200: json('The claimed record, now owned by the caller', PooledRecord),
      ...common,
      409: problem('Not in the pool, claimed by someone else, or the daily claim limit is reached'),
    } as never,
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/pool-settings/{type}',
    summary: 'Pool settings of a record type',
    security,
    request: { params: PoolTypeParams },
    responses: { 200: json('Settings', PoolSettings), ...common } as never,
  });
  registry.registerPath({
    method: 'put',
    path: '/api/v1/pool-settings/{type}',
    summary: 'Change the claim limit and the inactivity rule (crm-admin)',
    security,
    request: { params: PoolTypeParams, headers: ifMatch, body: body(PoolSettingsBody) as never },
    responses: { 200: json('Settings', PoolSettings), ...common, 412: problem('Stale If-Match') } as never,
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/ownership-transfers',
    summary: "Move a user's records to another user (sales-manager, crm-admin); runs in the background",
    security,
    request: { headers: idempotencyKey, body: body(TransferBody) as never },
    responses: { 202: json('Accepted; Location shows progress', Transfer), ...common } as never,
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/ownership-transfers',
    summary: 'Recent ownership transfers',
    security,
    responses: { 200: json('Transfers, newest first', TransferList), ...common } as never,
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/ownership-transfers/{id}',
    summary: 'Progress and final counts per record type',
    security,
    request: { params: TransferParams },
    responses: { 200: json('The transfer', Transfer), ...common, 404: problem('Not found') } as never,
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/users',
    summary: 'User directory from Keycloak (sales-manager, crm-admin)',
    security,
    request: { query: UsersQuery },
    responses: { 200: json('Users', UserList), ...common } as never,
  });
}
