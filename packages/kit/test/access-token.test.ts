import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createTokenVerifier, InvalidTokenError, type TokenVerifier } from '../src/access-token';

const ISSUER = 'https://sso.example.test/realms/crm';
const AUDIENCE = 'crm-api';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A Keycloak-like access token of rep1; `claims` and `expiresIn` change it for one test. */
function token(key: SigningKey, claims: Record<string, unknown> = {}, expiresIn: string | number = '5m') {
  return new SignJWT({
    typ: 'Bearer',
    azp: 'crm-cli',
    preferred_username: 'rep1',
    realm_access: { roles: ['default-roles-crm', 'sales-rep'] },
    groups: ['sales-east'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setSubject('00000000-0000-4000-8000-000000000003')
    .setIssuer(ISSUER)
    .setAudience(['crm-api', 'account'])
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

describe('access token verifier (realm JWKS served over HTTP, as Keycloak does)', () => {
  let server: Server;
  let published: JWK[] = [];
  let fetches = 0;
  let verify: TokenVerifier;
  let current: SigningKey;

  beforeAll(async () => {
    current = await signingKey('key-1');
    published = [current.jwk];
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    verify = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `http://127.0.0.1:${port}/certs`,
      jwksCooldownMs: 0,
    });
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('takes the actor from a valid token: subject, username, realm roles, groups as teams', async () => {
    const raw = await token(current);
    await expect(verify(raw)).resolves.toEqual({
      userId: '00000000-0000-4000-8000-000000000003',
      username: 'rep1',
      roles: ['default-roles-crm', 'sales-rep'],
      teams: ['sales-east'],
      token: raw,
    });
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const forger = await signingKey('key-1');
    await expect(verify(await token(forger))).rejects.toThrow(InvalidTokenError);
  });

  it('refuses a token of another issuer', async () => {
    const raw = await new SignJWT({ typ: 'Bearer' })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid })
      .setSubject('u')
      .setIssuer('https://sso.example.test/realms/other')
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(current.privateKey);
    await expect(verify(raw)).rejects.toThrow(/iss/);
  });

  it('refuses a token without the CRM audience', async () => {
    const raw = await new SignJWT({ typ: 'Bearer' })
      .setProtectedHeader({ alg: 'RS256', kid: current.kid })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience('account')
      .setExpirationTime('5m')
      .sign(current.privateKey);
    await expect(verify(raw)).rejects.toThrow(/aud/);
  });

  it('refuses an expired token', async () => {
    const expired = Math.floor(Date.now() / 1000) - 60;
    await expect(verify(await token(current, {}, expired))).rejects.toThrow(/exp/);
  });

  it('refuses an ID token (typ ID) although it is signed by the realm', async () => {
    await expect(verify(await token(current, { typ: 'ID' }))).rejects.toThrow(/not an access token/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: current.kid })).toString('base64url');
    const body = (await token(current)).split('.')[1];
    await expect(verify(`${header}.${body}.`)).rejects.toThrow(InvalidTokenError);
  });

  it('fetches the keys again when a token names an unknown kid (key rotation)', async () => {
    await verify(await token(current));
    const rotated = await signingKey('key-2');
    published = [current.jwk, rotated.jwk];
    const before = fetches;
    await expect(verify(await token(rotated))).resolves.toMatchObject({ username: 'rep1' });
    expect(fetches).toBe(before + 1);
    // Known keys are served from the cache: no fetch per call.
    await verify(await token(rotated));
    await verify(await token(current));
    expect(fetches).toBe(before + 1);
  });
});

describe('access token verifier: verified tokens are remembered', () => {
  let publicKey: KeyLike;
  let privateKey: KeyLike;
  let lookups = 0;
  let clock = Date.now();
  const now = () => clock;
  const verifier = (rememberMs?: number) =>
    createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      // Counts signature checks: jose asks for the key once per verification.
      keys: async () => ((lookups += 1), publicKey),
      rememberMs,
      now,
    });
  const signed = (claims: Record<string, unknown> = {}, expiresIn: string | number = '5m') =>
    new SignJWT({ typ: 'Bearer', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setSubject('00000000-0000-4000-8000-000000000003')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(expiresIn)
      .sign(privateKey);

  beforeAll(async () => {
    ({ publicKey, privateKey } = await generateKeyPair('RS256'));
  });
  beforeEach(() => {
    lookups = 0;
    clock = Date.now();
  });

  it('checks the signature of a token once, then answers with the same actor until rememberMs', async () => {
    const verify = verifier(10_000);
    const raw = await signed();
    const first = await verify(raw);
    await expect(verify(raw)).resolves.toEqual(first);
    expect(lookups).toBe(1);
    clock += 10_001;
    await expect(verify(raw)).resolves.toEqual(first);
    expect(lookups).toBe(2);
  });

  it('checks the token again once its expiry has passed, however long rememberMs is', async () => {
    const verify = verifier(600_000);
    const raw = await signed({}, Math.floor(Date.now() / 1000) + 2);
    await verify(raw);
    clock += 2_001; // past exp: no longer taken on trust (jose, on the real clock, then decides)
    await verify(raw).catch(() => undefined);
    expect(lookups).toBe(2);
  });

  it('does not remember a refused token, and takes other bytes for another token', async () => {
    const verify = verifier();
    const raw = await signed({ typ: 'ID' });
    await expect(verify(raw)).rejects.toThrow(/not an access token/);
    await expect(verify(raw)).rejects.toThrow(/not an access token/);
    const good = await signed();
    await verify(good);
    await expect(verify(`${good.slice(0, -2)}AA`)).rejects.toThrow(InvalidTokenError);
    expect(lookups).toBe(4);
  });

  it('checks every call when rememberMs is 0', async () => {
    const verify = verifier(0);
    const raw = await signed();
    await verify(raw);
    await verify(raw);
    expect(lookups).toBe(2);
  });
});
