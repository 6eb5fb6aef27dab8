import { event as eventProto, opportunityEvents } from '@crm/proto';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';
import { startApps, stopApp } from './stack';
import { api, RUN, userId } from './support';

const PROBLEM = /^application\/problem\+json/;
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

let seq = 0;
/** A deal of rep1's in negotiation, with its decision-maker named (the default pipeline asks for one). */
async function dealInNegotiation(): Promise<{ id: string; accountId: string }> {
  seq++;
  const account = await api('POST', '/api/v1/accounts', {
    as: 'rep1',
    json: { name: `Closing customer ${RUN} ${seq}`, website: `https://closing-${RUN}-${seq}.example.com` },
  });
  expect(account.status).toBe(201);
  const ceo = await api('POST', `/api/v1/accounts/${account.body.id}/contacts`, {
    as: 'rep1',
    json: { lastName: `Decider ${RUN} ${seq}`, buyingRole: 'decision-maker' },
  });
  expect(ceo.status).toBe(201);
  const deal = await api('POST', '/api/v1/opportunities', {
    as: 'rep1',
    json: {
      name: `Closing ${RUN} ${seq}`,
      accountId: account.body.id,
      decisionMakerContactId: ceo.body.id,
      amountMinor: 200_000_000,
      currency: 'CNY',
    },
  });
  expect(deal.status).toBe(201);
  for (const stageKey of ['needs-analysis', 'negotiation'])
    expect(
      (await api('POST', `/api/v1/opportunities/${deal.body.id}/stage`, { as: 'rep1', json: { stageKey } }))
        .status,
    ).toBe(200);
  return { id: deal.body.id, accountId: account.body.id };
}

const close = (id: string, json: unknown, as: 'rep1' | 'rep2' | 'manager' = 'rep1') =>
  api('POST', `/api/v1/opportunities/${id}/close`, { as, json });

describe('closing and reopening deals (real Keycloak, real opportunity service)', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({
      servers: NATS_URL,
      user: 'observer',
      pass: process.env.NATS_OBSERVER_PASSWORD,
      inboxPrefix: '_INBOX_observer',
    });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('closing lost without a reason is 400 naming lossReason; with one it is lost, read-only, and says so on NATS', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const deal = await dealInNegotiation();
    const bare = await close(deal.id, { outcome: 'lost' });
    expect(bare.status).toBe(400);
    expect(bare.contentType).toMatch(PROBLEM);
    expect(bare.body.errors).toEqual([expect.objectContaining({ field: 'lossReason' })]);
    expect((await close(deal.id, { outcome: 'lost', lossReason: 'bad-weather' })).status).toBe(400);

    const lost = await close(deal.id, { outcome: 'lost', lossReason: 'price', competitor: 'Globex' });
    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({
      result: 'lost',
      opportunity: { status: 'lost', stageKey: 'closed-lost', lossReason: 'price', competitor: 'Globex' },
    });
    expect(lost.body.opportunity.closeHistory).toEqual([
      expect.objectContaining({ action: 'lost', by: await userId('rep1'), fromStage: 'negotiation' }),
    ]);

    const edit = await api('PATCH', `/api/v1/opportunities/${deal.id}`, {
      as: 'rep1',
      json: { nextStep: 'call again' },
    });
    expect(edit.status).toBe(409);
    const move = await api('POST', `/api/v1/opportunities/${deal.id}/stage`, {
      as: 'rep1',
      json: { stageKey: 'proposal' },
    });
    expect(move.status).toBe(409);

    // What analytics reads: amount, currency, owner and stage keys travel with the event.
    const consumer = await nc.jetstream().consumers.get('CRM_OPPORTUNITY', {
      filterSubjects: 'crm.opportunity.v1.OpportunityLost',
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since,
    });
    const messages = await consumer.consume();
    let event: opportunityEvents.OpportunityLost | undefined;
    for await (const m of messages) {
      const envelope = eventProto.EventEnvelope.decode(m.data);
      if (envelope.aggregateId !== deal.id) continue;
      event = opportunityEvents.OpportunityLost.decode(envelope.payload);
      break;
    }
    await messages.close();
    expect(event).toMatchObject({
      fromStage: 'negotiation',
      opportunity: {
        amountMinor: '200000000',
        currency: 'CNY',
        ownerId: await userId('rep1'),
        stageKey: 'closed-lost',
        lossReason: 'price',
      },
    });
  });

  it('a rep cannot reopen a closed deal (403); a manager can, back into the stage it was closed from', async () => {
    const deal = await dealInNegotiation();
    expect((await close(deal.id, { outcome: 'lost', lossReason: 'timing' })).status).toBe(200);
    const byRep = await api('POST', `/api/v1/opportunities/${deal.id}/reopen`, { as: 'rep1', json: {} });
    expect(byRep.status).toBe(403);
    const reopened = await api('POST', `/api/v1/opportunities/${deal.id}/reopen`, {
      as: 'manager',
      json: { reason: 'the customer came back' },
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({
      status: 'open',
      stageKey: 'negotiation',
      lossReason: '',
      closedAt: null,
    });
    expect(reopened.body.closeHistory.at(-1)).toMatchObject({
      action: 'reopened',
      by: await userId('manager'),
      comment: 'the customer came back',
    });
    const again = await api('POST', `/api/v1/opportunities/${deal.id}/reopen`, { as: 'manager', json: {} });
    expect(again.status).toBe(409);
  });

  it('only an admin sets the loss reasons, validated when saved; a seller then picks from them', async () => {
    const current = await api('GET', '/api/v1/loss-reasons', { as: 'rep1' });
    expect(current.status).toBe(200);
    const key = `lost-${RUN}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
    const reasons = [...current.body.reasons, { key, name: `Lost in test run ${RUN}` }];
    const etag = current.headers.get('etag')!;
    expect(
      (
        await api('PUT', '/api/v1/loss-reasons', {
          as: 'rep1',
          headers: { 'if-match': etag },
          json: { reasons },
        })
      ).status,
    ).toBe(403);
    const bad = await api('PUT', '/api/v1/loss-reasons', {
      as: 'admin',
      headers: { 'if-match': etag },
      json: { reasons: [...reasons, { key: 'Not A Key', name: 'x' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: `reasons[${reasons.length}].key` })]);
    const saved = await api('PUT', '/api/v1/loss-reasons', {
      as: 'admin',
      headers: { 'if-match': etag },
      json: { reasons },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.reasons.map((r: { key: string }) => r.key)).toContain(key);

    const deal = await dealInNegotiation();
    const lost = await close(deal.id, { outcome: 'lost', lossReason: key });
    expect(lost.status).toBe(200);
    expect(lost.body.opportunity.lossReason).toBe(key);
  });

  it('while the approval engine is away a close as won is 503 and the deal stays open', async () => {
    const deal = await dealInNegotiation();
    await stopApp('approval');
    try {
      const res = await close(deal.id, { outcome: 'won' });
      expect(res.status).toBe(503);
      expect(res.contentType).toMatch(PROBLEM);
    } finally {
      await startApps();
    }
    const after = await api('GET', `/api/v1/opportunities/${deal.id}`, { as: 'rep1' });
    expect(after.body).toMatchObject({
      status: 'open',
      stageKey: 'negotiation',
      pendingCloseApprovalId: '',
    });
  });
});
