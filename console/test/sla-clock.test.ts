import { formatRemaining, readSla } from '../src/support/sla-clock';

const created = '2026-12-01T08:00:00Z';
const due = '2026-12-01T18:00:00Z'; // a 10-hour target
const at = (iso: string) => Date.parse(iso);

describe('the SLA countdown colour', () => {
  it('stays calm while more than half the time is left', () => {
    expect(readSla(due, created, at('2026-12-01T12:00:00Z')).level).toBe('ok');
  });

  it('warns once under half the time is left, and turns critical under a fifth', () => {
    expect(readSla(due, created, at('2026-12-01T13:30:00Z')).level).toBe('warning');
    expect(readSla(due, created, at('2026-12-01T16:30:00Z')).level).toBe('critical');
  });

  it('is breached at the due time and after it, with the time past as negative', () => {
    expect(readSla(due, created, at(due)).level).toBe('breached');
    const late = readSla(due, created, at('2026-12-01T18:45:00Z'));
    expect(late).toEqual({ level: 'breached', remainingMs: -45 * 60_000 });
  });
});

describe('the time left as shown', () => {
  it('uses its two largest units', () => {
    expect(formatRemaining((2 * 24 * 60 + 3 * 60 + 7) * 60_000)).toBe('2d 3h');
    expect(formatRemaining((3 * 60 + 5) * 60_000)).toBe('3h 05m');
    expect(formatRemaining(12 * 60_000 + 59_000)).toBe('12m');
    expect(formatRemaining(-45 * 60_000)).toBe('-45m');
  });
});
