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
 * audience and expiry. ID and refresh tokens are refused by their `typ`.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys =
    opts.keys ??
    createRemoteJWKSet(new URL(opts.jwksUrl ?? `${opts.issuer}/protocol/openid-connect/certs`), {
      ...(opts.jwksCooldownMs !== undefined && { cooldownDuration: opts.jwksCooldownMs }),
    });
  return async (rawToken) => {
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
    return actorFromClaims(payload, rawToken);
  };
}
