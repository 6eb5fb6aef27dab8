import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const VALID = /^[A-Za-z0-9._-]{1,128}$/;

/** Accepts a caller's X-Request-Id if it is 1..128 chars of [A-Za-z0-9._-], otherwise generates a uuid. */
export function requestIdOf(req: IncomingMessage): string {
  const raw = req.headers['x-request-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value && VALID.test(value)) return value;
  return randomUUID();
}

/** Used by pino-http as genReqId: resolves the id once, stores it on the request and echoes it. */
export function genReqId(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof existing === 'string') return existing;
  const id = requestIdOf(req);
  res.setHeader('X-Request-Id', id);
  return id;
}
