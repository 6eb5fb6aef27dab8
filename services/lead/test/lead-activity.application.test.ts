import { as, leadInput, leadUseCases, users } from './support/lead-use-cases';

describe('LeadActivity (account events)', () => {
  it('moves a lead’s last activity forward only, and ignores activity on other records', async () => {
    const { leads, activity, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    await activity.logged({ type: 'lead', id: l._id }, new Date('2026-03-02'));
    await activity.logged({ type: 'lead', id: l._id }, new Date('2026-03-01')); // late, older
    await activity.logged({ type: 'account', id: l._id }, new Date('2026-04-01'));
    expect(repository.docs.get(l._id)!.lastActivityAt).toEqual(new Date('2026-03-02'));
  });

  it('an activity dated ahead moves the last activity to now at most, so the pool still sees the lead idle', async () => {
    const { leads, activity, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    const now = new Date('2026-03-02T12:00:00Z');
    await activity.logged({ type: 'lead', id: l._id }, new Date('2099-01-01'), now);
    expect(repository.docs.get(l._id)!.lastActivityAt).toEqual(now);
  });

  it('points converted leads at the surviving account of a merge', async () => {
    const { leads, activity, repository } = leadUseCases();
    const l = await leads.create(leadInput(), false, as(users.rep1));
    repository.docs.get(l._id)!.conversion = {
      accountId: 'merged',
      contactId: 'c',
      opportunityId: '',
      accountCreated: true,
      convertedAt: new Date(),
      convertedBy: 'rep1',
    };
    await expect(activity.accountsMerged('merged', 'survivor')).resolves.toBe(1);
    expect(repository.docs.get(l._id)!.conversion!.accountId).toBe('survivor');
  });
});
