import { createChannel, createClient, Metadata, type Channel } from 'nice-grpc';
import { opportunity as pb } from '@crm/proto';
import { api, RUN, token } from './support';

const OPPORTUNITY_GRPC_ADDR = process.env.OPPORTUNITY_GRPC_ADDR ?? '127.0.0.1:50053';

// A lead conversion that fails for good discards the deal it made (its compensation): the deal must
// then be gone everywhere a seller looks, not only when opened by id.
describe('a deal discarded by a conversion compensation', () => {
  let channel: Channel;
  let client: ReturnType<typeof createClient<typeof pb.OpportunityServiceDefinition>>;
  let md: Metadata;

  beforeAll(async () => {
    channel = createChannel(OPPORTUNITY_GRPC_ADDR);
    client = createClient(pb.OpportunityServiceDefinition, channel);
    md = Metadata({ authorization: `Bearer ${await token('rep1')}`, 'x-request-id': `it-discard-${RUN}` });
  });
  afterAll(() => channel.close());

  it('leaves the deal list, the account overview and the deal itself (404)', async () => {
    const account = await api('POST', '/api/v1/accounts', {
      as: 'rep1',
      json: { name: `Discard Co ${RUN}` },
    });
    expect(account.status).toBe(201);
    const creationKey = `it-discard:${RUN}:opportunity`;
    const deal = await client.createOpportunity(
      {
        fields: pb.OpportunityPatch.fromPartial({
          name: `Discarded deal ${RUN}`,
          accountId: account.body.id,
          amountMinor: 500_000,
          currency: 'EUR',
        }),
        creationKey,
      },
      { metadata: md },
    );
    const listed = async () =>
      (await api('GET', `/api/v1/opportunities?accountId=${account.body.id}`, { as: 'rep1' })).body.items.map(
        (o: { id: string }) => o.id,
      );
    expect(await listed()).toEqual([deal.id]);

    await client.discardOpportunity({ id: deal.id, creationKey }, { metadata: md });

    expect(await listed()).toEqual([]);
    expect((await api('GET', `/api/v1/opportunities/${deal.id}`, { as: 'rep1' })).status).toBe(404);
    const overview = await api('GET', `/api/v1/accounts/${account.body.id}/overview`, { as: 'rep1' });
    expect(overview.status).toBe(200);
    expect(overview.body.opportunities.items).toEqual([]);
  });
});
