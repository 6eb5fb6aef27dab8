import { createHash } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { ConfirmationTokens } from '../application/ports';

const ISSUER = 'crm-service-ticket';
const AUDIENCE = 'ticket-confirmation';

/**
 * The customer's confirmation links: JWTs signed with HMAC-SHA256 (jose), naming the ticket and a
 * nonce stored with it; the nonce makes the link single-use (the ticket forgets it once answered).
 */
export function confirmationTokens(secret: string): ConfirmationTokens {
  // A fixed-length key whatever the configured secret looks like.
  const key = createHash('sha256').update(`ticket-confirmation:${secret}`).digest();
  return {
    issue(ticketId, nonce, expiresAt) {
      return new SignJWT({ nonce })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(ticketId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.nonce !== 'string') return undefined;
        return { ticketId: payload.sub, nonce: payload.nonce };
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}
