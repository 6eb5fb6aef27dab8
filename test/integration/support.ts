/**
 * Helpers for integration tests against the real stack started by the harness (deploy/local/test.sh):
 * GATEWAY_URL and KEYCLOAK_URL point at the test stack; tokens come from Keycloak's password grant.
 */
export const GATEWAY_URL = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
export const KEYCLOAK_URL = (process.env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '');
export const REALM = process.env.KEYCLOAK_REALM ?? 'crm';
export const PASSWORD = process.env.CRM_DEMO_PASSWORD ?? 'crm-demo';

export type User = 'rep1' | 'rep2' | 'manager' | 'admin' | 'agent' | 'supportlead';

const tokens = new Map<string, { token: string; exp: number }>();
const pending = new Map<string, Promise<string>>();

/**
 * An access token for a demo user (password grant, client crm-cli), cached until shortly before expiry.
 * Concurrent callers share one login: Keycloak's brute-force detection counts logins of one user in
 * quick succession as failures and then locks the user for a while.
 */
export async function token(user: User): Promise<string> {
  const cached = tokens.get(user);
  if (cached && cached.exp > Date.now() + 10_000) return cached.token;
  let login = pending.get(user);
  if (!login) {
    login = fetchToken(user).finally(() => pending.delete(user));
    pending.set(user, login);
  }
  return login;
}

async function fetchToken(user: User): Promise<string> {
  const res = await fetch(`${KEYCLOAK_URL}/realms/${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'crm-cli',
      username: user,
      password: PASSWORD,
      scope: 'openid',
    }),
  });
  if (!res.ok) throw new Error(`token for ${user}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { access_token: string; expires_in: number };
  tokens.set(user, { token: body.access_token, exp: Date.now() + body.expires_in * 1000 });
  return body.access_token;
}

/** The decoded (unverified) payload of a JWT. */
export function claims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function userId(user: User): Promise<string> {
  return String(claims(await token(user)).sub);
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  contentType: string;
}

export interface ApiOptions {
  as?: User;
  /** A raw bearer token (overrides `as`). */
  bearer?: string;
  json?: unknown;
  /** A raw body (sent as is). */
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls the gateway; JSON and problem+json bodies are parsed. */
export async function api(method: string, path: string, opts: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const bearer = opts.bearer ?? (opts.as ? await token(opts.as) : undefined);
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${GATEWAY_URL}${path}`, { method, headers, body });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  let parsed: unknown = text;
  if (/json/.test(contentType) && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, contentType };
}

/** A value unique to this test run (emails, regions). */
export const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
export const uniqueEmail = (tag: string) => `${tag}.${RUN}@it.example.com`;

/** Polls `done` every `everyMs` until it holds or `withinMs` passed; returns how long it took, or -1. */
export async function timeUntil(
  done: () => Promise<boolean>,
  withinMs: number,
  everyMs = 100,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started <= withinMs) {
    if (await done()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return -1;
}
