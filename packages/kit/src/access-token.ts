import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Actor } from './actor';

/** A bearer token that is not a valid access token of the realm for this audience. */
export class InvalidTokenError extends Error {}

/** Checks a raw bearer token and returns who it speaks for; rejects with InvalidTokenError. */
export type TokenVerifier = (rawToken: string) => Promise<Actor>;

export interface TokenVerifierOptions {
  /** The realm's issuer, e.g. https://sso.example.com/realms/crm (the `iss` of its tokens). */
  issuer: string;
  /** The audience every CRM token carries (the realm's crm-api client scope adds it). */
  audience: string;
  /** Where the realm publishes its keys; defaults to the issuer's OpenID Connect certs endpoint. */
  jwksUrl?: string;
  /** Keys to check against instead of fetching them (tests). */
  keys?: JWTVerifyGetKey;
  /** Least time between two key fetches; jose's default (30 s) unless set. */
  jwksCooldownMs?: number;
  /**
   * How long a verified token's actor is remembered at most (never past the token's expiry), so a
   * caller sending the same token on every call costs one signature check; 0: check every call.
   */
  rememberMs?: number;
  /** Tokens remembered at once; the oldest is forgotten first. */
  rememberTokens?: number;
  now?: () => number;
}

/** The issuer of a Keycloak realm's tokens. */
export const realmIssuer = (keycloakUrl: string, realm: string) =>
  `${keycloakUrl.replace(/\/+$/, '')}/realms/${realm}`;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The actor a verified token speaks for: the same mapping as the gateway's (gateway/src/auth). */
export function actorFromClaims(claims: JWTPayload, token: string): Actor {
  if (typeof claims.sub !== 'string' || claims.sub === '')
    throw new InvalidTokenError('token has no subject');
  const realmAccess = claims.realm_access as { roles?: unknown } | undefined;
  return {
    userId: claims.sub,
    username: typeof claims.preferred_username === 'string' ? claims.preferred_username : '',
    roles: strings(realmAccess?.roles),
    teams: strings(claims.groups).map((g) => g.replace(/^\/+/, '')),
    token,
  };
}

/**
 * Verifies the realm's access tokens: signature against the realm JWKS (jose caches the keys and
 * fetches them again when a token names a `kid` it does not know, i.e. after a key rotation), issuer,
 * audience and expiry. ID and refresh tokens are refused by their `typ`. A token that passed is
 * remembered (the whole token is the key: other bytes are another token) until it expires or for
 * rememberMs; the signature check was the largest single cost of a call. Rejections are not kept.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys =
    opts.keys ??
    createRemoteJWKSet(new URL(opts.jwksUrl ?? `${opts.issuer}/protocol/openid-connect/certs`), {
      ...(opts.jwksCooldownMs !== undefined && { cooldownDuration: opts.jwksCooldownMs }),
    });
  const { rememberMs = 60_000, rememberTokens = 10_000, now = Date.now } = opts;
  const verified = new Map<string, { actor: Actor; until: number }>();
  const check = async (rawToken: string): Promise<{ actor: Actor; expiresAt: number }> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(rawToken, keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        requiredClaims: ['exp', 'sub'],
        // Small clock differences between Keycloak and this host should not refuse fresh tokens.
        clockTolerance: 5,
      }));
    } catch (err) {
      throw new InvalidTokenError((err as Error).message);
    }
    if (payload.typ !== undefined && payload.typ !== 'Bearer')
      throw new InvalidTokenError('not an access token');
    return { actor: actorFromClaims(payload, rawToken), expiresAt: (payload.exp ?? 0) * 1000 };
  };
  return async (rawToken) => {
    const known = verified.get(rawToken);
    if (known && known.until > now()) return known.actor;
    verified.delete(rawToken);
    const { actor, expiresAt } = await check(rawToken);
    if (rememberMs > 0 && expiresAt > now()) {
      if (verified.size >= rememberTokens) verified.delete(verified.keys().next().value!);
      verified.set(rawToken, { actor, until: Math.min(expiresAt, now() + rememberMs) });
    }
    return actor;
  };
}
