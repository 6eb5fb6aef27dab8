import express, { Router, type RequestHandler } from 'express';
import { rolesFor } from '@crm/kit/permissions';
import { requireRole } from '../auth';
import { callOptions } from '../grpc';
import { expectedVersion, setEtag } from '../http/etag';
import { grpcToProblem } from '../http/grpc-errors';
import { idempotent } from '../http/idempotent';
import { HttpProblem } from '../http/problem';
import { refuseInvalidQuery, refuseInvalidText, verifyCsvBytes, verifyJsonBytes } from '../http/text-body';
import { validate } from '../http/validate';
import { withCustomFilters } from '../custom-fields/schemas';
import type { RouteDeps } from '../route-deps';
import type { Operation, OperationContext, Reply } from './operation';

/** `/leads/{id}` -> `/leads/:id` */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** 415 unless a request that has a body sends it as one of the types. */
function mediaType(types: string[], detail: string): RequestHandler {
  return (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(types)) return next(new HttpProblem(415, detail));
    next();
  };
}

function bodyParsers(op: Operation, deps: RouteDeps, bodyLimit: string): RequestHandler[] {
  if (!op.body) return [];
  if (op.bodyType === 'text/csv')
    return [
      mediaType(['text/csv'], 'The body must be text/csv.'),
      express.text({ type: 'text/csv', limit: deps.importBodyLimit, verify: verifyCsvBytes }),
      refuseInvalidText,
    ];
  const json = ['application/json', 'application/*+json'];
  return [
    mediaType(json, 'Send the request body as application/json.'),
    express.json({ limit: bodyLimit, strict: true, type: json, verify: verifyJsonBytes }),
    refuseInvalidText,
  ];
}

function renameFields(problem: HttpProblem, fields: Record<string, string> | undefined): HttpProblem {
  const errors = problem.problem.errors;
  if (!fields || !errors) return problem;
  for (const e of errors) e.field = fields[e.field] ?? e.field;
  return problem;
}

function send(res: express.Response, reply: Reply): void {
  if (reply.etag !== undefined) setEtag(res, reply.etag);
  if (reply.location) res.setHeader('Location', reply.location);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  // A download (CSV) is text the handler wrote; everything else is JSON.
  if (typeof reply.body === 'string' && res.getHeader('Content-Type'))
    res.status(reply.status ?? 200).send(reply.body);
  else if (Buffer.isBuffer(reply.body))
    res
      .status(reply.status ?? 200)
      .type(reply.contentType ?? 'application/octet-stream')
      .send(reply.body);
  else res.status(reply.status ?? 200).json(reply.body);
}

/**
 * Mounts every operation (role gate, body parsing, validation, Idempotency-Key, handler) and answers
 * a known path with a wrong method with 405 and Allow. Mount under /api/v1 after authentication.
 */
export function operationsRouter(ops: Operation[], deps: RouteDeps, bodyLimit: string): Router {
  // Strict: /accounts/ is not /accounts (an empty id is no id).
  const router = Router({ strict: true });
  router.use(refuseInvalidQuery);
  const methodsByPath = new Map<string, string[]>();
  for (const op of ops) {
    const path = expressPath(op.path);
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), op.method.toUpperCase()]);
    const handler: RequestHandler = async (req, res) => {
      const header = req.headers['idempotency-key'];
      const ctx: OperationContext<unknown, unknown, unknown> = {
        params: res.locals.params,
        query: res.locals.query,
        body: res.locals.body,
        actor: req.actor!,
        req,
        deps,
        expectedVersion: () => expectedVersion(req),
        idempotencyKey: typeof header === 'string' ? header : '',
        async call(rpc, settings = {}) {
          const options = callOptions(req.actor, String(req.id), settings.deadlineMs ?? deps.grpcDeadlineMs);
          try {
            return await rpc(options);
          } catch (err) {
            // A problem raised while building the request (e.g. a bad If-Match) is already an answer.
            if (err instanceof HttpProblem) throw err;
            throw renameFields(grpcToProblem(err, req.log ?? deps.logger), settings.fields);
          }
        },
      };
      send(res, await (op.handler as (c: typeof ctx) => Promise<Reply>)(ctx));
    };
    router[op.method](
      path,
      requireRole(...rolesFor(op.permission)),
      ...bodyParsers(op, deps, bodyLimit),
      validate({
        params: op.params,
        query: op.query && op.customFilters ? withCustomFilters(op.query) : op.query,
        body: op.body,
      }),
      ...(op.idempotent ? [idempotent(deps.idempotency, `${op.method.toUpperCase()} ${op.path}`)] : []),
      handler,
    );
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    router.all(path, (req, res, next) => {
      // OPTIONS asks which methods there are; any other method here is not one of them.
      if (req.method === 'OPTIONS') return void res.setHeader('Allow', allow).status(204).end();
      next(new HttpProblem(405, `${req.method} is not allowed here; use ${allow}.`, {}, { Allow: allow }));
    });
  }
  return router;
}
