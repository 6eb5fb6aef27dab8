import { dueWindow, isTimeZone } from '../src/activities/due';

describe('due windows of task lists', () => {
  it('today in UTC is midnight to midnight', () => {
    const w = dueWindow('today', new Date('2026-03-10T15:30:00Z'));
    expect(w.from?.toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-03-11T00:00:00.000Z');
  });

  it('today follows the caller’s time zone', () => {
    // 01:30 in Shanghai on 11 March is still 10 March in UTC.
    const w = dueWindow('today', new Date('2026-03-10T17:30:00Z'), 'Asia/Shanghai');
    expect(w.from?.toISOString()).toBe('2026-03-10T16:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-03-11T16:00:00.000Z');
  });

  it('a day with a DST change is 23 hours long', () => {
    const w = dueWindow('today', new Date('2026-03-08T18:00:00Z'), 'America/New_York');
    expect(w.from?.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('overdue is everything due before now', () => {
    const now = new Date('2026-03-10T15:30:00Z');
    expect(dueWindow('overdue', now)).toEqual({ to: now });
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
