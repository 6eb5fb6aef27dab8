import type { TokenClaims, TokenVerifier } from './index';

export interface RememberOptions {
  /** How long a verified token is taken on trust at most, even when it expires later. */
  maxAgeMs?: number;
  /** Tokens remembered at once; the oldest is forgotten first. */
  maxTokens?: number;
  now?: () => number;
}

/**
 * Remembers the claims of bearer tokens already verified, until they expire or for maxAgeMs, so a
 * client sending the same token on every request costs one signature check rather than one per
 * request (it was the largest single cost of a gateway request). The whole token is the key: any
 * other bytes are another token and are verified. Rejected tokens are not remembered.
 */
export function rememberVerified(verify: TokenVerifier, options: RememberOptions = {}): TokenVerifier {
  const { maxAgeMs = 60_000, maxTokens = 10_000, now = Date.now } = options;
  const verified = new Map<string, { claims: TokenClaims; until: number }>();
  return async (rawToken) => {
    const known = verified.get(rawToken);
    if (known && known.until > now()) return known.claims;
    verified.delete(rawToken);
    const claims = await verify(rawToken);
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
    if (expiresAt > now()) {
      if (verified.size >= maxTokens) verified.delete(verified.keys().next().value!);
      verified.set(rawToken, { claims, until: Math.min(expiresAt, now() + maxAgeMs) });
    }
    return claims;
  };
}
