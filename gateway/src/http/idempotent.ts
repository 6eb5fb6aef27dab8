import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';
import { IdempotencyStore } from './idempotency';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag', 'retry-after'];

/**
 * Idempotency-Key on a POST route: the same key and body replay the first answer (with
 * Idempotent-Replayed: true), on any gateway replica when the store is shared; the same key with
 * another body is a 422. Answers below 500 are kept, problems included; a 5xx is not, so a retry
 * after an outage runs again. Put it after validation.
 */
export function idempotent(store: IdempotencyStore, route: string): RequestHandler {
  return (req, res, next) => {
    const header = req.headers['idempotency-key'];
    if (header === undefined) return next();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
      return next(new HttpProblem(400, 'Idempotency-Key must be 1..255 printable characters.'));
    }
    const who = req.actor?.userId ?? 'anonymous';
    const key = IdempotencyStore.key(header, who, `${route} ${JSON.stringify(req.params)}`);
    const bodyHash = IdempotencyStore.hash(req.body);
    store.get(key).then(
      (prev) => {
        if (prev) {
          if (prev.bodyHash !== bodyHash) {
            return next(
              new HttpProblem(422, 'This Idempotency-Key was already used with a different request body.'),
            );
          }
          res.setHeader('Idempotent-Replayed', 'true');
          for (const [k, v] of Object.entries(prev.headers)) res.setHeader(k, v);
          res.status(prev.status).send(prev.body);
          return;
        }
        res.locals.idempotencyKey = header;
        // res.json and problem responses both end in res.send: capture the answer there, once, and
        // send it only when it is stored, so a retry that reaches another replica finds it.
        const send = res.send.bind(res);
        let captured = false;
        res.send = (body?: unknown) => {
          if (captured || res.statusCode >= 500) return send(body);
          captured = true;
          const headers: Record<string, string> = {};
          for (const h of REPLAYED_HEADERS) {
            const v = res.getHeader(h);
            if (v !== undefined) headers[h] = String(v);
          }
          void store.set(key, { bodyHash, status: res.statusCode, headers, body }).finally(() => send(body));
          return res;
        };
        next();
      },
      // Running the request without knowing whether it already ran could do it twice.
      () =>
        next(
          new HttpProblem(
            503,
            'Idempotency-Key answers cannot be read just now; retry with the same key.',
            {},
            { 'retry-after': '5' },
          ),
        ),
    );
  };
}
