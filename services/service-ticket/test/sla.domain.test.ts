import { ValidationError } from '@crm/kit';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  normaliseCalendar,
  normalisePolicy,
  targetFor,
} from '../src/domain/sla';

const shanghai: BusinessCalendar = {
  name: 'China office',
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  opensAt: '09:00',
  closesAt: '18:00',
  holidays: ['2026-10-01'],
};
const berlin: BusinessCalendar = { ...shanghai, name: 'Berlin', timeZone: 'Europe/Berlin', holidays: [] };
const iso = (d: Date) => d.toISOString();

describe('business hours', () => {
  it('count only working hours in the calendar zone', () => {
    // Friday 2026-12-04 17:00 in Shanghai (09:00Z): 4 business hours land on Monday 12:00 local.
    const due = addBusinessMinutes(new Date('2026-12-04T09:00:00Z'), 240, shanghai);
    expect(iso(due)).toBe('2026-12-07T04:00:00.000Z');
    expect(businessMinutesBetween(new Date('2026-12-04T09:00:00Z'), due, shanghai)).toBe(240);
  });

  it('start at opening time when the clock starts at night, and skip holidays', () => {
    // 2026-09-30 (Wed) 23:00 local; 10-01 is a holiday: the first hour is 10-02 09:00-10:00 local.
    const due = addBusinessMinutes(new Date('2026-09-30T15:00:00Z'), 60, shanghai);
    expect(iso(due)).toBe('2026-10-02T02:00:00.000Z');
  });

  it('follow daylight saving: 09:00 Berlin is 08:00Z in summer and 07:00Z after the change', () => {
    // Friday 2026-10-23 17:00 CEST; 2 hours -> Monday 2026-10-26 10:00 CET (09:00Z).
    const due = addBusinessMinutes(new Date('2026-10-23T15:00:00Z'), 120, berlin);
    expect(iso(due)).toBe('2026-10-26T09:00:00.000Z');
  });

  it('round the clock with closesAt 24:00', () => {
    const always = {
      ...shanghai,
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      opensAt: '00:00',
      closesAt: '24:00',
      holidays: [],
    };
    const due = addBusinessMinutes(new Date('2026-12-05T15:59:00Z'), 0.5, always);
    expect(iso(due)).toBe('2026-12-05T15:59:30.000Z');
  });

  it('refuse a calendar that is not one', () => {
    expect(() =>
      normaliseCalendar({ ...shanghai, timeZone: 'Mars/Olympus', workingDays: [], closesAt: '08:00' }),
    ).toThrow(ValidationError);
  });
});

describe('SLA policies', () => {
  const policy = normalisePolicy({
    name: 'Standard',
    calendarId: 'default',
    warnAtPercent: 80,
    targets: [
      { priority: 'high', tier: '', firstResponseMinutes: 120, resolutionMinutes: 960 },
      { priority: 'high', tier: 'A', firstResponseMinutes: 60, resolutionMinutes: 480 },
    ],
  });

  it('pick the target of the tier, else the one for any tier', () => {
    expect(targetFor(policy, 'high', 'A')?.firstResponseMinutes).toBe(60);
    expect(targetFor(policy, 'high', 'C')?.firstResponseMinutes).toBe(120);
    expect(targetFor(policy, 'low', 'A')).toBeUndefined();
  });

  it('refuse duplicate targets and a resolution shorter than the first response', () => {
    expect(() =>
      normalisePolicy({
        ...policy,
        targets: [
          { priority: 'high', tier: '', firstResponseMinutes: 60, resolutionMinutes: 30 },
          { priority: 'high', tier: '', firstResponseMinutes: 60, resolutionMinutes: 90 },
        ],
      }),
    ).toThrow(ValidationError);
  });
});
