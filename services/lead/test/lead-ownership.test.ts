import { createLogger } from '@crm/kit';
import type { Connection } from 'mongoose';
import { OPEN_STATUSES } from '../src/domain/lead';
import { leadPool, leadTransfer, POOL_QUEUE } from '../src/store/lead-ownership';
import type { LeadModels } from '../src/store/lead.model';
import { users } from './support/lead-use-cases';

// The adapters only hand @crm/ownership what a lead does in the pool; no database is touched here.
const models = { Lead: {} } as unknown as LeadModels;
const pool = leadPool(models, {} as Connection, () => undefined, createLogger('lead-test'));
const at = new Date('2026-05-01T10:00:00Z');

describe('leads in the public pool and in ownership transfers', () => {
  it('a released lead waits in the pool queue, and its history says who released it and why', () => {
    expect(pool.onRelease!(users.manager, 'no activity for 30 days', at)).toEqual({
      set: { queue: POOL_QUEUE },
      push: {
        assignments: {
          ownerId: '',
          teamId: '',
          queue: POOL_QUEUE,
          assignedBy: 'manager',
          reason: 'released to the pool: no activity for 30 days',
          ruleId: '',
          at,
        },
      },
    });
  });

  it('a claimed lead leaves the queue and its history names the rep who claimed it', () => {
    const claimed = pool.onClaim!(users.rep2, at);
    expect(claimed.set).toEqual({ queue: '' });
    expect(claimed.push).toMatchObject({ assignments: { ownerId: 'rep2', reason: 'claimed from the pool' } });
  });

  it('is listed by person and company', () => {
    expect(pool.nameOf({ firstName: 'Ada', lastName: 'Lovelace', company: 'Engines' })).toBe(
      'Ada Lovelace (Engines)',
    );
  });

  it('only leads someone still works on go back to the pool or move in a transfer; converted ones stay', () => {
    const releasable = (pool.releasableFilter!.status as { $in: string[] }).$in;
    const moved = (leadTransfer(models, OPEN_STATUSES).filter!.status as { $in: string[] }).$in;
    for (const statuses of [releasable, moved]) {
      expect(statuses).toEqual(expect.arrayContaining(['new', 'working', 'nurturing', 'qualified']));
      expect(statuses).not.toContain('converted');
      expect(statuses).not.toContain('disqualified');
    }
  });
});
