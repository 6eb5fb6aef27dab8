import { InvalidTokenError, type TokenClaims } from '../src/auth';
import { rememberVerified } from '../src/auth/verified-tokens';

/** A verifier that counts its calls; tokens named "bad..." are rejected, others expire at `exp`. */
function countingVerifier(exp: number) {
  const calls: string[] = [];
  const verify = async (raw: string): Promise<TokenClaims> => {
    calls.push(raw);
    if (raw.startsWith('bad')) throw new InvalidTokenError('bad signature');
    return { sub: raw, exp };
  };
  return { calls, verify };
}

describe('remembered token verification', () => {
  let clock = 1_000_000;
  const now = () => clock;

  it('verifies a token once and answers later requests with the same claims', async () => {
    const { calls, verify } = countingVerifier(clock / 1000 + 300);
    const check = rememberVerified(verify, { now });
    expect(await check('t1')).toMatchObject({ sub: 't1' });
    expect(await check('t1')).toMatchObject({ sub: 't1' });
    expect(await check('t2')).toMatchObject({ sub: 't2' });
    expect(calls).toEqual(['t1', 't2']);
  });

  it('verifies again once the token has expired or maxAgeMs has passed', async () => {
    const { calls, verify } = countingVerifier(clock / 1000 + 30);
    const check = rememberVerified(verify, { now, maxAgeMs: 10_000 });
    await check('t1');
    clock += 10_001; // past maxAgeMs
    await check('t1');
    clock += 20_000; // past exp: the verifier decides (a real one rejects it)
    await check('t1');
    expect(calls).toEqual(['t1', 't1', 't1']);
  });

  it('does not remember a rejected token', async () => {
    const { calls, verify } = countingVerifier(clock / 1000 + 300);
    const check = rememberVerified(verify, { now });
    await expect(check('bad1')).rejects.toThrow(InvalidTokenError);
    await expect(check('bad1')).rejects.toThrow(InvalidTokenError);
    expect(calls).toEqual(['bad1', 'bad1']);
  });

  it('forgets the oldest token when full', async () => {
    const { calls, verify } = countingVerifier(clock / 1000 + 300);
    const check = rememberVerified(verify, { now, maxTokens: 2 });
    for (const t of ['t1', 't2', 't3', 't3', 't2', 't1']) await check(t);
    expect(calls).toEqual(['t1', 't2', 't3', 't1']);
  });
});
