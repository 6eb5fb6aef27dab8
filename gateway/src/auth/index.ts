/**
 * Authentication and role checks. This is the only module that knows about keycloak-connect, so the
 * token library can be swapped without touching the routes: routes only see `req.actor`; their role
 * gate comes from the permission table in @crm/kit/permissions (see api/router.ts).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import KeycloakConnect from 'keycloak-connect';
import { ServiceRoles } from '@crm/kit';
import { HttpProblem, sendProblem } from '../http/problem';

export interface Actor {
  /** Keycloak subject (user id). */
  userId: string;
  username: string;
  roles: string[];
  teams: string[];
  /** The OAuth client the token was issued to (azp); used for rate limiting. */
  clientId: string;
  /** The verified bearer token, forwarded to the services on every gRPC call made for this actor. */
  token?: string;
}

export interface TokenClaims {
  sub?: unknown;
  preferred_username?: unknown;
  realm_access?: { roles?: unknown } | unknown;
  groups?: unknown;
  aud?: unknown;
  azp?: unknown;
  typ?: unknown;
  iss?: unknown;
  exp?: unknown;
}

/** Verifies a raw bearer token (signature, expiry, issuer, type) and returns its claims; rejects when invalid. */
export type TokenVerifier = (rawToken: string) => Promise<TokenClaims>;

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

export class InvalidTokenError extends Error {}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** True when the token's `aud` (string or array) contains the expected audience. */
export function audienceIncludes(claims: TokenClaims, audience: string): boolean {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud === audience;
  return strings(aud).includes(audience);
}

/**
 * Service roles are for calls between services over gRPC: a service's token that reaches the REST API
 * (it carries the same audience) counts as no role at all, so a leaked service secret opens no route.
 */
const SERVICE_ROLES = new Set<string>(Object.values(ServiceRoles));

/** Maps verified token claims to the actor passed to services. Throws InvalidTokenError if `sub` is missing. */
export function claimsToActor(claims: TokenClaims): Actor {
  if (typeof claims.sub !== 'string' || claims.sub === '')
    throw new InvalidTokenError('token has no subject');
  const realmAccess = claims.realm_access;
  const roles =
    realmAccess && typeof realmAccess === 'object' ? strings((realmAccess as { roles?: unknown }).roles) : [];
  return {
    userId: claims.sub,
    username: typeof claims.preferred_username === 'string' ? claims.preferred_username : '',
    roles: roles.filter((r) => !SERVICE_ROLES.has(r)),
    teams: strings(claims.groups).map((g) => g.replace(/^\/+/, '')),
    clientId: typeof claims.azp === 'string' ? claims.azp : '',
  };
}

export interface KeycloakVerifierOptions {
  url: string;
  realm: string;
  audience: string;
}

/**
 * keycloak-connect in bearer-only mode without realm-public-key: the grant manager fetches the realm
 * JWKS on first use, caches it, and refetches when a token carries an unknown `kid` (key rotation,
 * at most once every 10 s). createGrant -> validateToken checks signature, expiry, `typ: Bearer` and
 * issuer `<url>/realms/<realm>`. keycloak.protect() is deliberately not used (it answers 403 where we
 * need 401).
 */
export function createKeycloakVerifier(opts: KeycloakVerifierOptions): TokenVerifier {
  const keycloak = new KeycloakConnect({}, {
    realm: opts.realm,
    'auth-server-url': opts.url,
    resource: opts.audience,
    'bearer-only': true,
    'confidential-port': 0,
    'ssl-required': 'external',
  } as unknown as KeycloakConnect.KeycloakConfig);
  const grantManager = (
    keycloak as unknown as {
      grantManager: { createGrant(raw: object): Promise<{ access_token?: { content: TokenClaims } }> };
    }
  ).grantManager;
  return async (rawToken) => {
    if (rawToken.split('.').length !== 3) throw new InvalidTokenError('malformed token');
    let grant;
    try {
      grant = await grantManager.createGrant({ access_token: rawToken });
    } catch (err) {
      throw new InvalidTokenError((err as Error).message);
    }
    const content = grant.access_token?.content;
    if (!content) throw new InvalidTokenError('no access token');
    return content;
  };
}

function unauthorized(res: Response, detail: string, error?: string): void {
  const challenge = error ? `Bearer realm="crm", error="${error}"` : 'Bearer realm="crm"';
  sendProblem(res, { status: 401, title: 'Unauthorized', detail }, { 'WWW-Authenticate': challenge });
}

/** Requires a valid bearer token whose audience includes `audience`; sets req.actor. Answers 401 otherwise. */
export function authenticate(verify: TokenVerifier, audience: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    if (!match || !match[1]) {
      unauthorized(res, 'A bearer token is required.');
      return;
    }
    verify(match[1])
      .then((claims) => {
        if (claims.typ !== undefined && claims.typ !== 'Bearer')
          throw new InvalidTokenError('not an access token');
        if (!audienceIncludes(claims, audience)) throw new InvalidTokenError('wrong audience');
        req.actor = { ...claimsToActor(claims), token: match[1] };
        next();
      })
      .catch((err: unknown) => {
        req.log?.info({ reason: (err as Error).message }, 'rejected bearer token');
        unauthorized(res, 'The bearer token is invalid or expired.', 'invalid_token');
      });
  };
}

export function hasAnyRole(actor: Actor | undefined, roles: readonly string[]): boolean {
  return !!actor && actor.roles.some((r) => roles.includes(r));
}

/** 403 unless the authenticated actor has one of the roles. */
export function requireRole(...roles: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor) return next(new HttpProblem(401, 'A bearer token is required.'));
    if (!hasAnyRole(req.actor, roles))
      return next(new HttpProblem(403, 'Your roles do not allow this operation.'));
    next();
  };
}
