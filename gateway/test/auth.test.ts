import { audienceIncludes, claimsToActor, InvalidTokenError } from '../src/auth';

describe('claims -> actor', () => {
  it('maps sub, username, realm roles and groups', () => {
    expect(
      claimsToActor({
        sub: 'abc',
        preferred_username: 'rep1',
        realm_access: { roles: ['sales-rep', 'offline_access'] },
        groups: ['sales-east', '/support'],
        azp: 'crm-cli',
      }),
    ).toEqual({
      userId: 'abc',
      username: 'rep1',
      roles: ['sales-rep', 'offline_access'],
      teams: ['sales-east', 'support'],
      clientId: 'crm-cli',
    });
  });

  it("gives a service's token no role at REST: service roles are for calls between services", () => {
    const a = claimsToActor({
      sub: 'sa-lead',
      azp: 'crm-lead-service',
      realm_access: { roles: ['lead-service', 'account-service', 'gateway-service', 'offline_access'] },
    });
    expect(a.roles).toEqual(['offline_access']);
  });

  it('treats a missing groups claim and missing roles as empty', () => {
    const a = claimsToActor({ sub: 'svc' });
    expect(a.teams).toEqual([]);
    expect(a.roles).toEqual([]);
    expect(a.username).toBe('');
  });

  it('ignores non-string entries and rejects a token without sub', () => {
    expect(
      claimsToActor({ sub: 'x', groups: ['a', 1, null], realm_access: { roles: 'admin' } }),
    ).toMatchObject({ teams: ['a'], roles: [] });
    expect(() => claimsToActor({ preferred_username: 'x' })).toThrow(InvalidTokenError);
    expect(() => claimsToActor({ sub: '' })).toThrow(InvalidTokenError);
  });
});

describe('audience', () => {
  it('accepts a string or an array containing the audience', () => {
    expect(audienceIncludes({ aud: 'crm-api' }, 'crm-api')).toBe(true);
    expect(audienceIncludes({ aud: ['account', 'crm-api'] }, 'crm-api')).toBe(true);
  });
  it('rejects other or missing audiences', () => {
    expect(audienceIncludes({ aud: 'account' }, 'crm-api')).toBe(false);
    expect(audienceIncludes({ aud: ['account'] }, 'crm-api')).toBe(false);
    expect(audienceIncludes({}, 'crm-api')).toBe(false);
    expect(audienceIncludes({ aud: { x: 'crm-api' } }, 'crm-api')).toBe(false);
  });
});
