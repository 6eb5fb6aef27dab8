import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { HttpProblem, type FieldError } from './problem';

export interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

function issues(where: string, error: z.ZodError): FieldError[] {
  return error.issues.map((i) => {
    const extra = i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys : undefined;
    const path = [...i.path.map(String), ...(extra && extra.length === 1 ? extra : [])].join('.');
    // Body fields are named as in the JSON ("lastName"); query and path parameters are prefixed.
    const field = where === 'body' ? path || 'body' : path ? `${where}.${path}` : where;
    return { field, message: i.message };
  });
}

/**
 * Validates params, query and body with the same zod schemas that document the API. The parsed values
 * are stored on res.locals.params / query / body (req.query is read-only in express 5).
 */
export function validate(schemas: Schemas): RequestHandler {
  return (req, res, next) => {
    const errors: FieldError[] = [];
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const input = where === 'body' ? (req.body ?? {}) : req[where];
      const result = schema.safeParse(input);
      if (result.success) res.locals[where] = result.data;
      else errors.push(...issues(where, result.error));
    }
    if (errors.length) return next(new HttpProblem(400, 'The request is invalid.', { errors }));
    next();
  };
}

/** A PATCH body that sets at least one field. */
export function changesSomething(patch: object): boolean {
  return Object.values(patch).some((v) => v !== undefined);
}
