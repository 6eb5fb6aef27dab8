import { claimRefusal } from '../src/pool';

const rep = (userId: string) => ({ userId, username: userId, roles: ['sales-rep'], teams: ['sales-east'] });
const [rep1, rep2] = [rep('rep1'), rep('rep2')];

describe('who may claim a record from the pool', () => {
  const pooled = { ownerId: '', teamId: 'sales-east', pool: { pooled: true } };
  const claimedByRep2 = {
    ownerId: 'rep2',
    teamId: 'sales-east',
    pool: { pooled: false, claimedBy: 'rep2', claimedAt: new Date() },
  };

  it('lets any rep claim a pooled record, even one they could not see before', () => {
    expect(claimRefusal(rep1, pooled)).toBeUndefined();
  });

  it('tells the loser of a race that the record was already claimed, though it no longer sees it', () => {
    expect(claimRefusal(rep1, claimedByRep2)).toBe('already-claimed');
    expect(claimRefusal(rep2, claimedByRep2)).toBe('already-claimed');
  });

  it('keeps a record that was never pooled invisible to reps who do not own it, and not claimable by its owner', () => {
    const owned = { ownerId: 'rep2', teamId: 'sales-east' };
    expect(claimRefusal(rep1, owned)).toBe('not-found');
    expect(claimRefusal(rep2, owned)).toBe('not-pooled');
    expect(claimRefusal(rep1, null)).toBe('not-found');
  });
});
