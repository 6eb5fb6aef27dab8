import type { OutboxEntry } from '@crm/kit';
import { Roles } from '@crm/kit/domain';
import { analyticsEvents, event } from '@crm/proto';
import { AccountSegments } from '../src/application/account-segments';
import { Figures } from '../src/application/figures';
import type { SegmentStore } from '../src/application/ports';
import type { PublishedSegment, SegmentChange } from '../src/domain/account-segments';
import { InMemoryFactStore, InMemoryGenerations } from './support/in-memory';

/** Segments as the Mongo store keeps them: compare-and-set on the version, the event in the same write. */
class InMemorySegments implements SegmentStore {
  readonly docs = new Map<string, PublishedSegment>();
  readonly events: OutboxEntry[] = [];

  async published() {
    return [...this.docs.values()];
  }

  async publish(c: SegmentChange, e: (version: number) => OutboxEntry) {
    if ((this.docs.get(c.accountId)?.version ?? 0) !== c.version) return false;
    this.docs.set(c.accountId, { accountId: c.accountId, segment: c.segment, version: c.version + 1 });
    this.events.push(e(c.version + 1));
    return true;
  }
}

const analytics = { userId: 'svc-analytics', username: 'analytics', roles: [], teams: [] };

describe('publishing account segments', () => {
  const setup = () => {
    const facts = new InMemoryFactStore();
    const store = new InMemorySegments();
    const figures = new Figures(new InMemoryGenerations(), facts, undefined, () => '2026-12-02');
    const segments = new AccountSegments(figures, store, async () => analytics);
    const won = (id: string, accountId: string, ownerId: string, status = 'won', previous?: number) =>
      facts.saveOpportunity(
        1,
        {
          _id: id,
          version: 1,
          day: '2026-11-01',
          ownerId,
          teamId: 'north',
          pipelineId: 'default',
          stageKey: 'closed-won',
          stagesReached: ['closed-won'],
          amountMinor: 1_000_00,
          currency: 'EUR',
          expectedCloseDate: '',
          status,
          closedDay: '2026-12-01',
          daysToClose: 30,
          lossReason: '',
          competitor: '',
          stays: [],
          accountId,
          eventAt: new Date(),
          appliedAt: new Date(),
        },
        previous,
      );
    const published = () =>
      store.events.map((e) => {
        const env = event.EventEnvelope.decode(e.data);
        return {
          subject: e.subject,
          aggregate: `${env.aggregateType}/${env.aggregateId}@${env.aggregateVersion}`,
          actor: env.actor?.userId,
          ...analyticsEvents.AccountSegmentChanged.decode(env.payload),
        };
      });
    return { facts, store, segments, won, published };
  };

  it("scores every account whoever owns it, publishes what changed once, as analytics' own change", async () => {
    const { segments, won, published } = setup();
    await won('d1', 'acme', 'rep1');
    await won('d2', 'initech', 'rep2');
    expect(await segments.score()).toBe(2);
    expect(published()).toEqual([
      {
        subject: 'crm.analytics.v1.AccountSegmentChanged',
        aggregate: 'account-segment/acme@1',
        actor: 'svc-analytics',
        accountId: 'acme',
        previousSegment: '',
        segment: 'new-customers',
        recencyScore: 3,
        frequencyScore: 3,
        monetaryScore: 3,
        asOf: '2026-12-02',
      },
      expect.objectContaining({ aggregate: 'account-segment/initech@1', segment: 'new-customers' }),
    ]);
    expect(await segments.score()).toBe(0);
  });

  it('takes the segment back when the only won deal no longer counts', async () => {
    const { segments, won, published } = setup();
    await won('d1', 'acme', 'rep1');
    await segments.score();
    await won('d1', 'acme', 'rep1', 'open', 1); // reopened
    expect(await segments.score()).toBe(1);
    expect(published().at(-1)).toMatchObject({
      aggregate: 'account-segment/acme@2',
      previousSegment: 'new-customers',
      segment: '',
    });
  });

  it("scores all accounts, not one reader's: a rep's accounts/rfm shows only their own", async () => {
    const { facts, won } = setup();
    await won('d1', 'acme', 'rep1');
    await won('d2', 'initech', 'rep2');
    const figures = new Figures(new InMemoryGenerations(), facts, undefined, () => '2026-12-02');
    const rep = { userId: 'rep1', username: 'rep1', roles: [Roles.rep], teams: [] };
    expect((await figures.accountsRfm({}, rep)).rows.map((r) => r.accountId)).toEqual(['acme']);
    expect((await figures.everyAccountRfm()).rows.map((r) => r.accountId).sort()).toEqual([
      'acme',
      'initech',
    ]);
  });
});
