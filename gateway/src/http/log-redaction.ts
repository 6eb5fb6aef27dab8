/**
 * What the gateway's logs must never hold: bearer tokens, cookies and client secrets. Logs are read by
 * more people than the API's callers, and kept longer.
 */

/** Query parameters that carry credentials when a client puts them in the URL by mistake. */
const SECRET_PARAMS = new Set([
  'access_token',
  'id_token',
  'refresh_token',
  'token',
  'code',
  'client_secret',
  'password',
  'api_key',
  'apikey',
]);

export const REDACTED = '[redacted]';

/** The URL with the values of credential-like query parameters replaced; the rest stays for debugging. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAMS.has(key.toLowerCase())) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

/** pino redaction paths, a backstop for objects logged whole (request headers, options with a secret). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'clientSecret',
  'client_secret',
  '*.clientSecret',
  '*.client_secret',
];
