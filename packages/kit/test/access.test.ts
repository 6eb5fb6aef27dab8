import { canSee, visibilityFilter } from '../src';

const rep1 = { userId: 'rep1', username: 'rep1', roles: ['sales-rep'], teams: ['sales-east'] };
const manager = { userId: 'mgr', username: 'manager', roles: ['sales-manager'], teams: ['sales-east'] };
const admin = { userId: 'adm', username: 'admin', roles: ['crm-admin'], teams: [] };

describe('record access', () => {
  const lead = { ownerId: 'rep2', teamId: 'sales-east' };

  it('a rep sees only what they own', () => {
    expect(canSee(rep1, lead)).toBe(false);
    expect(canSee(rep1, { ownerId: 'rep1', teamId: 'sales-east' })).toBe(true);
    expect(visibilityFilter(rep1)).toEqual({ ownerId: 'rep1' });
  });

  it("a manager sees their team's records but not another team's", () => {
    expect(canSee(manager, lead)).toBe(true);
    expect(canSee(manager, { ownerId: 'x', teamId: 'sales-west' })).toBe(false);
    expect(canSee(manager, { ownerId: '', teamId: '' })).toBe(true);
    expect(canSee(rep1, { ownerId: '', teamId: '' })).toBe(false);
    expect(visibilityFilter(manager)).toEqual({
      $or: [{ ownerId: 'mgr' }, { ownerId: { $in: ['', null] } }, { teamId: { $in: ['sales-east'] } }],
    });
  });

  it('an admin sees everything', () => {
    expect(canSee(admin, { ownerId: 'x', teamId: 'y' })).toBe(true);
    expect(visibilityFilter(admin)).toBeUndefined();
  });
});
