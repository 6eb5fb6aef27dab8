import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpProblem, type FieldError } from './problem';

/**
 * Text a request may carry, checked once where bodies are parsed. The parsers would otherwise turn
 * invalid bytes and lone surrogates into U+FFFD silently (the stored name is then not what was sent),
 * and PostgreSQL under FerretDB cannot store a NUL at all (the write fails with a 5xx).
 */

/** A UTF-16 surrogate without its pair: JSON's `"\ud800"` decodes to one, and no character is one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const isUtf8Charset = (encoding: string) => /^utf-?8$/i.test(encoding);

const declaresCharset = (req: IncomingMessage) => /;\s*charset\s*=/i.test(req.headers['content-type'] ?? '');

/** For express.json's `verify`: the raw body must be UTF-8 (the only charset JSON has). */
export function verifyJsonBytes(_req: IncomingMessage, _res: unknown, raw: Buffer, encoding: string): void {
  if (isUtf8Charset(encoding) && !isUtf8(raw)) throw new HttpProblem(400, 'The body is not valid UTF-8.');
}

/**
 * For express.text's `verify` on CSV uploads: a file that declares its charset is decoded by it
 * (`text/csv; charset=windows-1252`); one that declares none must be UTF-8, or we would guess.
 */
export function verifyCsvBytes(req: IncomingMessage, _res: unknown, raw: Buffer, encoding: string): void {
  if (!declaresCharset(req) && !isUtf8(raw)) {
    throw new HttpProblem(
      415,
      'The CSV is not UTF-8. Send it as UTF-8, or name its encoding in the charset parameter of ' +
        'Content-Type (for example text/csv; charset=windows-1252).',
    );
  }
  if (isUtf8Charset(encoding) && !isUtf8(raw)) throw new HttpProblem(400, 'The CSV is not valid UTF-8.');
}

/** Deeper than any body of this API; a deeper one would only exhaust the stack of whoever walks it. */
export const MAX_BODY_DEPTH = 32;

const textError = (field: string, text: string): FieldError | undefined =>
  text.includes('\u0000')
    ? { field, message: 'contains a NUL character' }
    : LONE_SURROGATE.test(text)
      ? { field, message: 'contains a lone surrogate (not a character)' }
      : undefined;

/**
 * Where a parsed body holds text no character can be, as field errors (`customFields.note`), or is
 * nested deeper than MAX_BODY_DEPTH. Walked with a stack of its own, so no body can overflow ours.
 */
export function invalidText(body: unknown): FieldError[] {
  const out: FieldError[] = [];
  const todo: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (todo.length && out.length < 20) {
    const { value, path, depth } = todo.pop()!;
    if (typeof value === 'string') {
      const e = textError(path || 'body', value);
      if (e) out.push(e);
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_BODY_DEPTH) {
        out.push({ field: path || 'body', message: `nested deeper than ${MAX_BODY_DEPTH} levels` });
        continue;
      }
      for (const [key, v] of Object.entries(value)) {
        const field = path ? `${path}.${key}` : key;
        if (textError(field, key)) out.push({ field, message: 'the name is not valid text' });
        else todo.push({ value: v, path: field, depth: depth + 1 });
      }
    }
  }
  return out;
}

/** After a body parser: 400 when the parsed body holds a NUL or a lone surrogate, or is nested too deep. */
export const refuseInvalidText: RequestHandler = (req, _res, next) => {
  const errors = invalidText(req.body);
  if (errors.length)
    return next(new HttpProblem(400, 'The body holds invalid text or is nested too deeply.', { errors }));
  next();
};

/**
 * The query string must be text too: `?q=%FF` (no UTF-8) would search for U+FFFD or the raw `%FF`,
 * and a NUL cannot reach the database. Checked on the raw string, before any parser guesses.
 */
export const refuseInvalidQuery: RequestHandler = (req, _res, next) => {
  const at = req.originalUrl.indexOf('?');
  if (at < 0) return next();
  let text: string;
  try {
    text = decodeURIComponent(req.originalUrl.slice(at + 1).replace(/\+/g, ' '));
  } catch {
    return next(new HttpProblem(400, 'The query string is not valid UTF-8 percent-encoding.'));
  }
  if (text.includes('\u0000'))
    return next(new HttpProblem(400, 'The query string contains a NUL character.'));
  next();
};
