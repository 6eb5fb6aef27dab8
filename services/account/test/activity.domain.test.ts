import { ValidationError } from '@crm/kit';
import {
  type ActivityInput,
  activityAt,
  activityVisibilityFilter,
  canSeeActivity,
  normaliseActivityInput,
} from '../src/domain/activity';
import { newActivity } from './support/inputs';

const base = (over: Partial<ActivityInput> = {}) => newActivity({ subject: 'Intro call', ...over });
const actor = (userId: string, roles: string[], teams: string[] = ['sales-east']) => ({
  userId,
  username: userId,
  roles,
  teams,
});

describe('activities', () => {
  it('a task gets normal priority and the caller as assignee, and drops logged-only fields', () => {
    const t = normaliseActivityInput(
      base({ kind: 'task', subject: ' Send quote ', outcome: 'x', participantContactIds: ['c1'] }),
      'u1',
    );
    expect(t).toMatchObject({ subject: 'Send quote', priority: 'normal', assigneeId: 'u1', outcome: '' });
    expect(t.participantContactIds).toEqual([]);
    expect(t.occurredAt).toBeUndefined();
  });

  it('a logged visit defaults to now and drops task-only fields', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const v = normaliseActivityInput(
      base({ kind: 'visit', priority: 'high', assigneeId: 'u2', participantContactIds: ['c1', 'c1', 'c2'] }),
      'u1',
      now,
    );
    expect(v).toMatchObject({ occurredAt: now, priority: '', assigneeId: '' });
    expect(v.participantContactIds).toEqual(['c1', 'c2']);
  });

  it('a logged activity may be dated up to a day ahead, not further', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const at = (iso: string) => base({ occurredAt: new Date(iso) });
    expect(normaliseActivityInput(at('2026-03-02T10:00:00Z'), 'u1', now).occurredAt).toEqual(
      new Date('2026-03-02T10:00:00Z'),
    );
    expect(() => normaliseActivityInput(at('2026-03-02T10:00:01Z'), 'u1', now)).toThrow(ValidationError);
    expect(() => normaliseActivityInput(at('2099-01-01T00:00:00Z'), 'u1', now)).toThrow(
      'occurredAt: must be at most one day ahead of now',
    );
  });

  it('rejects unknown kinds, related types and priorities together', () => {
    try {
      normaliseActivityInput(
        base({
          kind: 'task',
          subject: '',
          priority: 'urgent' as never,
          relatedTo: { type: 'deal' as never, id: '' },
        }),
        'u1',
      );
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).violations.map((v) => v.field).sort()).toEqual(
        ['priority', 'relatedTo.id', 'relatedTo.type', 'subject'].sort(),
      );
    }
  });

  it('files a task under its due date and a call under its time', () => {
    const createdAt = new Date('2026-01-01');
    const dueAt = new Date('2026-02-01');
    const occurredAt = new Date('2025-12-24');
    expect(activityAt({ kind: 'task', dueAt, createdAt })).toBe(dueAt);
    expect(activityAt({ kind: 'task', createdAt })).toBe(createdAt);
    expect(activityAt({ kind: 'call', occurredAt, createdAt })).toBe(occurredAt);
  });
});

describe('activity visibility by ownership (leads and opportunities)', () => {
  const a = { ownerId: 'rep1', teamId: 'sales-east', assigneeId: 'rep2' };

  it('owner and assignee see it, another rep does not', () => {
    expect(canSeeActivity(actor('rep1', ['sales-rep']), a)).toBe(true);
    expect(canSeeActivity(actor('rep2', ['sales-rep']), a)).toBe(true);
    expect(canSeeActivity(actor('rep3', ['sales-rep']), a)).toBe(false);
  });

  it('a manager sees the team, an admin everything', () => {
    expect(canSeeActivity(actor('m', ['sales-manager']), a)).toBe(true);
    expect(canSeeActivity(actor('m', ['sales-manager'], ['other']), a)).toBe(false);
    expect(canSeeActivity(actor('adm', ['crm-admin'], []), a)).toBe(true);
  });

  it('the list filter expresses the same rule', () => {
    expect(activityVisibilityFilter(actor('adm', ['crm-admin']))).toBeUndefined();
    expect(activityVisibilityFilter(actor('rep1', ['sales-rep']))).toEqual({
      $or: [{ ownerId: 'rep1' }, { assigneeId: 'rep1' }],
    });
  });
});
