import type { Request } from 'express';
import type { CallOptions } from 'nice-grpc';
import type { DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import type { z } from 'zod';
import type { Permission } from '@crm/kit/permissions';
import type { Actor } from '../auth';
import type { RouteDeps } from '../route-deps';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The tags of the document, one per domain; described once in document.ts. */
export type Tag =
  | 'Leads'
  | 'Lead settings'
  | 'Accounts'
  | 'Contacts'
  | 'Activities'
  | 'Pipelines'
  | 'Opportunities'
  | 'Products'
  | 'Quotes'
  | 'Tickets'
  | 'Public pool'
  | 'Ownership transfers'
  | 'Users'
  | 'Custom fields'
  | 'Audit'
  | 'Analytics'
  | 'Approvals'
  | 'Approval policies'
  | 'Payments';

/** Headers that the gateway sets on a success response; documented with it. */
export type ReplyHeader = 'ETag' | 'Location' | 'Warning';

export interface SuccessResponse {
  description: string;
  /** The JSON body; none for a bodyless answer. */
  schema?: z.ZodType;
  headers?: ReplyHeader[];
  /** A binary answer of this type instead of JSON (the handler's body is a Buffer). */
  mediaType?: 'application/pdf';
  /** The same answer may also come as a CSV download (`format=csv`): documented as text/csv too. */
  csv?: boolean;
  /** It may also come as an XLSX workbook (`format=xlsx`): documented as that media type too. */
  xlsx?: boolean;
}

/** What a handler answers; the core writes it (status, ETag, Location, JSON body). */
export interface Reply {
  status?: number;
  body: unknown;
  etag?: string | number;
  location?: string;
  headers?: Record<string, string>;
  /** With a Buffer body: its media type (e.g. application/pdf). */
  contentType?: string;
}

export interface CallSettings {
  /** This call's deadline instead of the gateway's default (e.g. a conversion, an import). */
  deadlineMs?: number;
  /** Service field names -> the names this operation's JSON uses, in 400 problems. */
  fields?: Record<string, string>;
}

export type GrpcOptions = CallOptions & DeadlineOptions;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface OperationContext<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  actor: Actor;
  req: Request;
  deps: RouteDeps;
  /** The version from If-Match ("0": no check); a tag that can never match is a 412. */
  expectedVersion(): string;
  /** The request's Idempotency-Key, or '' when it has none. */
  idempotencyKey: string;
  /** Runs a gRPC call for the caller (identity, request id, deadline); its error becomes a problem. */
  call<T>(rpc: (options: GrpcOptions) => Promise<T>, settings?: CallSettings): Promise<T>;
}

/**
 * One REST operation: the Express handler and its OpenAPI operation are both built from this.
 * Paths are relative to /api/v1 and written OpenAPI-style (`/leads/{id}`).
 */
export interface Operation<
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  path: string;
  operationId: string;
  tag: Tag;
  summary: string;
  description: string;
  /** The coarse role gate, from the permission table in @crm/kit/permissions. */
  permission: Permission;
  params?: P;
  query?: Q;
  /** List queries that also take `cf.<key>=value` custom field filters. */
  customFilters?: boolean;
  body?: B;
  /** The body's media type; default application/json. */
  bodyType?: 'application/json' | 'text/csv';
  /** The body as documented when it is not JSON (e.g. the CSV text). */
  bodyDoc?: z.ZodType;
  /** Takes If-Match (optimistic concurrency). */
  ifMatch?: boolean;
  /** Takes Idempotency-Key: a retry with the same key and body replays the first answer. */
  idempotent?: boolean;
  responses: Partial<Record<200 | 201 | 202 | 308, SuccessResponse>>;
  /** Problem statuses beyond the ones every operation may give (documented from the shared set). */
  errors?: ErrorStatus[];
  handler(ctx: OperationContext<P, Q, B>): Promise<Reply>;
}

export type ErrorStatus = 404 | 409 | 412 | 413 | 415 | 422;

/** Declares an operation; the identity, there to infer the handler's parameter types. */
export function operation<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(op: Operation<P, Q, B>): Operation {
  return op as unknown as Operation;
}
