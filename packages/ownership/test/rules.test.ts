import { ForbiddenError, ValidationError } from '@crm/kit';
import {
  canClaim,
  canSeeTransfer,
  canRelease,
  claimCounterId,
  inactivityCutoff,
  transferTeams,
  validatePoolSettings,
  validateTransfer,
} from '../src/rules';

const actor = (userId: string, roles: string[], teams: string[] = []) => ({
  userId,
  username: userId,
  roles,
  teams,
});
const rep1 = actor('rep1', ['sales-rep'], ['sales-east']);
const rep2 = actor('rep2', ['sales-rep'], ['sales-east']);
const manager = actor('m', ['sales-manager'], ['sales-east']);
const otherManager = actor('m2', ['sales-manager'], ['sales-west']);
const agent = actor('a', ['support-agent'], ['support']);

describe('pool rules', () => {
  const record = { ownerId: 'rep1', teamId: 'sales-east' };

  it('lets the owner, a manager of the team and an admin release, nobody else', () => {
    expect(canRelease(rep1, record)).toBe(true);
    expect(canRelease(manager, record)).toBe(true);
    expect(canRelease(actor('x', ['crm-admin']), record)).toBe(true);
    expect(canRelease(rep2, record)).toBe(false);
    expect(canRelease(otherManager, record)).toBe(false);
  });

  it('lets sales people claim, not support agents', () => {
    expect(canClaim(rep2)).toBe(true);
    expect(canClaim(agent)).toBe(false);
  });

  it('counts claims per rep and UTC day', () => {
    expect(claimCounterId('lead', 'rep1', new Date('2026-11-23T23:59:00Z'))).toBe('lead:rep1:2026-11-23');
    expect(claimCounterId('lead', 'rep1', new Date('2026-11-24T00:00:00Z'))).toBe('lead:rep1:2026-11-24');
  });

  it('releases on inactivity only when the administrator turned it on', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(inactivityCutoff(now, { maxClaimsPerDay: 0, releaseAfterInactiveDays: 0 })).toBeUndefined();
    expect(inactivityCutoff(now, { maxClaimsPerDay: 0, releaseAfterInactiveDays: 30 })).toEqual(
      new Date('2026-10-24T12:00:00Z'),
    );
  });

  it('refuses negative, fractional and absurd settings with the field named', () => {
    expect(() => validatePoolSettings({ maxClaimsPerDay: -1, releaseAfterInactiveDays: 1.5 })).toThrow(
      /maxClaimsPerDay.*releaseAfterInactiveDays/,
    );
    expect(validatePoolSettings({ maxClaimsPerDay: 5, releaseAfterInactiveDays: 30 })).toEqual({
      maxClaimsPerDay: 5,
      releaseAfterInactiveDays: 30,
    });
  });
});

describe('transfer rules', () => {
  const known = ['lead', 'account', 'contact', 'task'];

  it('defaults the scope to every known type and removes repeats', () => {
    expect(validateTransfer({ fromUserId: 'a', toUserId: 'b', scope: [] }, known)).toEqual(known);
    expect(validateTransfer({ fromUserId: 'a', toUserId: 'b', scope: ['lead', 'lead'] }, known)).toEqual([
      'lead',
    ]);
  });

  it('refuses a transfer to oneself, unknown types and injected ids', () => {
    expect(() => validateTransfer({ fromUserId: 'a', toUserId: 'a', scope: [] }, known)).toThrow(
      ValidationError,
    );
    expect(() => validateTransfer({ fromUserId: 'a', toUserId: 'b', scope: ['invoice'] }, known)).toThrow(
      /unknown entity types invoice/,
    );
    expect(() => validateTransfer({ fromUserId: '{"$gt":""}', toUserId: 'b', scope: [] }, known)).toThrow(
      /fromUserId/,
    );
  });
});

describe('who a transfer may move records between', () => {
  const east = {
    fromUserListed: true,
    fromUserTeams: ['sales-east'],
    toUserTeams: ['sales-east'],
    toTeamId: '',
  };

  it("a manager transfers between their own teams' members, and only records of those teams move", () => {
    expect(transferTeams(manager, east)).toEqual(['sales-east']);
    expect(transferTeams(manager, { ...east, toTeamId: 'sales-east' })).toEqual(['sales-east']);
    // someone who left the directory: their book within the manager's teams may still be handed over
    expect(transferTeams(manager, { ...east, fromUserListed: false, fromUserTeams: [] })).toEqual([
      'sales-east',
    ]);
  });

  it("a manager may not take the support agent's records, give records outside, or file them elsewhere", () => {
    expect(() => transferTeams(manager, { ...east, fromUserTeams: ['support'] })).toThrow(ForbiddenError);
    expect(() => transferTeams(manager, { ...east, fromUserTeams: [] })).toThrow(ForbiddenError);
    expect(() => transferTeams(manager, { ...east, toUserTeams: ['support'] })).toThrow(ForbiddenError);
    expect(() => transferTeams(manager, { ...east, toTeamId: 'support' })).toThrow(ForbiddenError);
    expect(() => transferTeams(otherManager, east)).toThrow(ForbiddenError);
  });

  it('an admin transfers between anyone, records of any team', () => {
    const admin = actor('x', ['crm-admin']);
    expect(
      transferTeams(admin, {
        fromUserListed: true,
        fromUserTeams: ['support'],
        toUserTeams: [],
        toTeamId: 'x',
      }),
    ).toBe(undefined);
  });
});

describe('who sees a transfer', () => {
  const eastTransfer = { createdBy: 'm', toTeamId: '', withinTeams: ['sales-east'] };
  const adminsSupportMove = { createdBy: 'admin', toTeamId: 'support' };

  it("a manager sees their teams' transfers, not another team's; an admin sees all; a rep none", () => {
    expect(canSeeTransfer(manager, eastTransfer)).toBe(true);
    expect(canSeeTransfer(otherManager, eastTransfer)).toBe(false);
    expect(canSeeTransfer(manager, adminsSupportMove)).toBe(false);
    expect(canSeeTransfer(actor('s', ['sales-manager'], ['support']), adminsSupportMove)).toBe(true);
    expect(canSeeTransfer(otherManager, { ...eastTransfer, createdBy: 'm2' })).toBe(true);
    expect(canSeeTransfer(actor('x', ['crm-admin']), adminsSupportMove)).toBe(true);
    expect(canSeeTransfer(rep1, eastTransfer)).toBe(false);
    expect(canSeeTransfer(agent, adminsSupportMove)).toBe(false);
  });
});
