import { Metadata } from 'nice-grpc';
import type { CallOptions } from 'nice-grpc-common';
import { onBehalfOf, serviceTokenMiddleware } from '../src/grpc-client';
import { ServiceIdentity } from '../src/service-identity';

const rep1 = { userId: 'u-rep1', username: 'rep1', roles: ['sales-rep'], teams: ['sales-east'] };

/** What the middleware hands to the next step: the metadata the call goes out with. */
async function sent(options: CallOptions, identity?: ServiceIdentity): Promise<Metadata> {
  let seen: Metadata | undefined;
  const call = {
    request: {},
    next: async function* (_req: unknown, opts: CallOptions) {
      seen = opts.metadata;
      return {};
    },
  };
  const run = serviceTokenMiddleware(() => identity)(call as never, options);
  while (!(await run.next()).done);
  return seen!;
}

const lead = new ServiceIdentity({
  tokenUrl: 'http://kc/token',
  clientId: 'crm-lead-service',
  clientSecret: 's',
  fetch: (async () =>
    new Response(
      JSON.stringify({
        access_token: `e30.${Buffer.from('{"sub":"sa-lead"}').toString('base64url')}.`,
        expires_in: 300,
      }),
    )) as typeof fetch,
});

describe('calls to another service', () => {
  it("carry the user's token and the request id, and nothing else that names the caller", () => {
    const { metadata } = onBehalfOf({ ...rep1, token: 'rep1-token' }, 'req-1');
    expect([...metadata]).toEqual([
      ['authorization', ['Bearer rep1-token']],
      ['x-request-id', ['req-1']],
    ]);
  });

  it("keep the user's token although the service has its own", async () => {
    const md = await sent(onBehalfOf({ ...rep1, token: 'rep1-token' }, 'req-1'), lead);
    expect(md.get('authorization')).toBe('Bearer rep1-token');
  });

  it("go with the service's own token when there is no user's (a stored actor, a schedule)", async () => {
    const md = await sent(onBehalfOf(rep1, 'resume-1'), lead);
    expect(md.get('authorization')).toBe(`Bearer ${await lead.token()}`);
    expect(md.get('x-request-id')).toBe('resume-1');
  });

  it('go without a token when the process has no identity (the other side then refuses them)', async () => {
    const md = await sent(onBehalfOf(rep1, 'r'));
    expect(md.has('authorization')).toBe(false);
  });
});
