import { ServiceIdentity } from '../src/service-identity';

const jwt = (n: number) =>
  [
    Buffer.from('{"alg":"none"}').toString('base64url'),
    Buffer.from(
      JSON.stringify({ sub: 'sa-lead', preferred_username: 'service-account-crm-lead-service', n }),
    ).toString('base64url'),
    '',
  ].join('.');

/** Keycloak's token endpoint as a function: counts the grants and answers a 300 s token each time. */
function tokenEndpoint() {
  const grants: URLSearchParams[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    grants.push(init.body as URLSearchParams);
    return new Response(JSON.stringify({ access_token: jwt(grants.length), expires_in: 300 }));
  }) as typeof globalThis.fetch;
  return { fetch, grants };
}

describe('service identity (client credentials)', () => {
  it('asks once for concurrent callers, reuses the token, and renews it a minute before expiry', async () => {
    let now = 1_000_000;
    const kc = tokenEndpoint();
    const id = new ServiceIdentity({
      tokenUrl: 'http://kc/token',
      clientId: 'crm-lead-service',
      clientSecret: 's3cret',
      fetch: kc.fetch,
      now: () => now,
    });
    const [a, b] = await Promise.all([id.token(), id.token()]);
    expect(a).toBe(b);
    expect(kc.grants).toHaveLength(1);
    expect(Object.fromEntries(kc.grants[0]!)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'crm-lead-service',
      client_secret: 's3cret',
    });
    now += 239_000;
    expect(await id.token()).toBe(a);
    now += 1_000;
    expect(await id.token()).not.toBe(a);
    expect(kc.grants).toHaveLength(2);
    await expect(id.actor()).resolves.toMatchObject({
      userId: 'sa-lead',
      username: 'service-account-crm-lead-service',
    });
  });

  it('fails when Keycloak refuses the client, and asks again on the next call', async () => {
    let answer = 401;
    const id = new ServiceIdentity({
      tokenUrl: 'http://kc/token',
      clientId: 'crm-lead-service',
      clientSecret: 'wrong',
      fetch: (async () =>
        answer === 200
          ? new Response(JSON.stringify({ access_token: jwt(1), expires_in: 300 }))
          : new Response('{}', { status: answer })) as typeof fetch,
    });
    await expect(id.token()).rejects.toThrow(/crm-lead-service: Keycloak answered 401/);
    answer = 200;
    await expect(id.token()).resolves.toBe(jwt(1));
  });

  it('fetches a new token after a refusal made it forget the held one (its roles may have changed)', async () => {
    const kc = tokenEndpoint();
    const id = new ServiceIdentity({
      tokenUrl: 'http://kc/token',
      clientId: 'crm-gateway',
      clientSecret: 's',
      fetch: kc.fetch,
    });
    const first = await id.token();
    expect(await id.token()).toBe(first);
    id.forget();
    expect(await id.token()).not.toBe(first);
    expect(kc.grants).toHaveLength(2);
  });
});
