import { accountEvents, event } from '@crm/proto';
import { ForbiddenError, ValidationError, VersionMismatchError } from '@crm/kit';
import { RETIER_SETTLE_MS, type TierRuleSet } from '../src/domain/tier';
import {
  type AccountApp,
  accountApp,
  as,
  listQuery,
  newAccount,
  plain,
  users,
} from './support/account-use-cases';

let app: AccountApp;
beforeEach(async () => {
  app = await accountApp();
});

const usd = (amount: string) => ({ currencyCode: 'USD', amount });
const bigIsA: TierRuleSet = {
  defaultTier: 'C',
  rules: [{ id: 'big', name: 'Big', tier: 'A', annualRevenueMin: usd('1000000'), industries: [] }],
};
const create = async (name: string, revenue?: string) =>
  (
    await app.accounts.create(
      newAccount(name, { annualRevenue: revenue ? usd(revenue) : undefined }),
      plain,
      as('rep1'),
    )
  ).account;
const later = (ms: number) => new Date(Date.now() + ms);

describe('tier rules', () => {
  it('only an admin changes them, at the version read; new accounts get their tier at once', async () => {
    await expect(app.tiers.putRules(bigIsA, 0, as('manager'))).rejects.toBeInstanceOf(ForbiddenError);
    const put = await app.tiers.putRules(bigIsA, 0, as('admin'));
    expect(put).toMatchObject({ version: 1, updatedBy: users.admin.userId });
    expect((await app.tiers.putRules(bigIsA, 1, as('admin'))).version).toBe(2);
    await expect(app.tiers.putRules(bigIsA, 1, as('admin'))).rejects.toBeInstanceOf(VersionMismatchError);
    await expect(
      app.tiers.putRules({ ...bigIsA, defaultTier: 'Z' as never }, 2, as('admin')),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await create('Big', '2000000')).toMatchObject({ tier: 'A', tierRuleId: 'big' });
    expect(await create('Small', '10')).toMatchObject({ tier: 'C', tierRuleId: '' });
  });
});

describe('a manual tier', () => {
  it('records who set it, why and when, wins over the rules, and clearing it restores them', async () => {
    const a = await create('Acme');
    await expect(
      app.tiers.setOverride(a._id, 0, 'strategic', 'framework', as('rep1')),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(app.tiers.setOverride(a._id, 0, 'strategic', ' ', as('manager'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    const set = await app.tiers.setOverride(a._id, 1, 'strategic', 'Group framework', as('manager'));
    expect(set).toMatchObject({
      tier: 'strategic',
      computedTier: 'C',
      tierOverride: { tier: 'strategic', reason: 'Group framework', setBy: users.manager.userId },
    });
    expect(set.tierOverride?.setAt).toBeInstanceOf(Date);
    const cleared = await app.tiers.clearOverride(a._id, set.version, as('manager'));
    expect(cleared).toMatchObject({ tier: 'C', tierOverride: null });
  });
});

describe('re-tiering existing accounts after a rule change', () => {
  it('a pass gives every account the tier of the new rules, keeping a manual tier on top', async () => {
    const big = await create('Big', '2000000');
    const pinned = await create('Pinned', '5000000');
    await app.tiers.setOverride(pinned._id, 0, 'B', 'key partner', as('manager'));
    await app.tiers.putRules(bigIsA, 0, as('admin'));
    expect((await app.accounts.get(big._id, as('rep1'))).tier).toBe('C'); // not yet: the pass does it
    expect(await app.tiers.retierStale()).toBe(2);
    expect(await app.accounts.get(big._id, as('rep1'))).toMatchObject({
      tier: 'A',
      tierRuleId: 'big',
      updatedBy: users.admin.userId,
    });
    expect(await app.accounts.get(pinned._id, as('rep1'))).toMatchObject({ tier: 'B', computedTier: 'A' });
    expect(await app.tiers.retierStale()).toBe(0);
  });

  it('an account that fails stays marked: the pass reports it and the next pass re-tiers it', async () => {
    const a = await create('Big', '2000000');
    const b = await create('Other', '3000000');
    await app.tiers.putRules(bigIsA, 0, as('admin'));
    app.accountRepository.failingSaves.add(a._id);
    await expect(app.tiers.retierStale()).rejects.toThrow(/keep their old tier/);
    expect((await app.accounts.get(a._id, as('rep1'))).tier).toBe('C');
    expect((await app.accounts.get(b._id, as('rep1'))).tier).toBe('A');
    expect(await app.tiers.retierStale()).toBe(1);
    expect((await app.accounts.get(a._id, as('rep1'))).tier).toBe('A');
  });

  it('accounts whose tier does not change are only marked current, without a new version', async () => {
    const a = await create('Small', '10');
    await app.tiers.putRules(bigIsA, 0, as('admin'));
    expect(await app.tiers.retierStale()).toBe(0);
    expect(await app.accounts.get(a._id, as('rep1'))).toMatchObject({ version: 1, tierRulesVersion: 1 });
  });

  it('the re-tier of a rule version is closed only once late writes can no longer land', async () => {
    await create('Big', '2000000');
    await app.tiers.putRules(bigIsA, 0, as('admin'));
    await app.tiers.retierStale();
    await app.tiers.retierStale();
    expect(app.db.settings?.retieredVersion).toBeUndefined();
    await app.tiers.retierStale(later(RETIER_SETTLE_MS + 1000));
    expect(app.db.settings?.retieredVersion).toBe(1);
  });
});

describe('the RFM segment analytics publishes (AccountSegmentChanged)', () => {
  const analytics = { actor: { ...users.integrator, userId: 'svc-analytics' }, requestId: 'rfm' };
  const loyalIsStrategic: TierRuleSet = {
    defaultTier: 'C',
    rules: [
      { id: 'loyal', name: 'Loyal', tier: 'strategic', industries: [], rfmSegments: ['champions', 'loyal'] },
    ],
  };
  const segment = (accountId: string, s: string, version: number) =>
    app.tiers.applySegment({ accountId, segment: s, version }, analytics);

  it("keeps the segment and re-tiers the account by it at once, as analytics' change, with AccountUpdated", async () => {
    await app.tiers.putRules(loyalIsStrategic, 0, as('admin'));
    const a = await create('Acme');
    expect(a.tier).toBe('C');
    expect(await segment(a._id, 'loyal', 1)).toBe(true);
    expect(await app.accounts.get(a._id, as('rep1'))).toMatchObject({
      rfmSegment: 'loyal',
      tier: 'strategic',
      tierRuleId: 'loyal',
      updatedBy: 'svc-analytics',
    });
    const updated = app.db.accounts.events
      .filter((e) => e.subject === 'crm.account.v1.AccountUpdated')
      .map((e) => accountEvents.AccountUpdated.decode(event.EventEnvelope.decode(e.data).payload))
      .at(-1);
    expect(updated?.changedFields).toEqual(expect.arrayContaining(['tier', 'rfm_segment']));
    // No longer scored: back to the default tier.
    expect(await segment(a._id, '', 2)).toBe(true);
    expect(await app.accounts.get(a._id, as('rep1'))).toMatchObject({ rfmSegment: '', tier: 'C' });
  });

  it('ignores an older or repeated segment, and an account that is gone; a manual tier stays on top', async () => {
    await app.tiers.putRules(loyalIsStrategic, 0, as('admin'));
    const a = await create('Acme');
    await app.tiers.setOverride(a._id, 0, 'B', 'key partner', as('manager'));
    expect(await segment(a._id, 'champions', 2)).toBe(true);
    expect(await segment(a._id, 'hibernating', 1)).toBe(false);
    expect(await segment(a._id, 'champions', 2)).toBe(false);
    expect(await app.accounts.get(a._id, as('rep1'))).toMatchObject({
      rfmSegment: 'champions',
      computedTier: 'strategic',
      tier: 'B',
    });
    expect(await segment('no-such-account', 'loyal', 1)).toBe(false);
  });

  it('lists the accounts of a segment, and refuses a segment it does not know', async () => {
    const loyal = await create('Loyal Co');
    await create('Unscored Co');
    await segment(loyal._id, 'loyal', 1);
    const list = (rfmSegment: string) => app.accounts.list(listQuery({ rfmSegment }), as('rep1'));
    expect((await list('loyal')).accounts.map((a) => a.name)).toEqual(['Loyal Co']);
    expect((await list('')).accounts).toHaveLength(2);
    await expect(list('vip')).rejects.toBeInstanceOf(ValidationError);
  });
});
