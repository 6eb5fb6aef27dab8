import { queueFiltersFrom, queueFiltersQuery } from '../src/support/queue-filters';

describe('the ticket queue URL', () => {
  it('opens a dashboard link on every ticket of that queue and status', () => {
    expect(queueFiltersFrom(new URLSearchParams('view=queues&queue=tier-2&status=new'))).toEqual({
      view: 'queues',
      queue: 'tier-2',
      status: 'new',
      priority: null,
      slaState: null,
    });
  });

  it('shows every ticket of a queue asked for without a view, the own tickets otherwise', () => {
    expect(queueFiltersFrom(new URLSearchParams('queue=support')).view).toBe('queues');
    expect(queueFiltersFrom(new URLSearchParams('')).view).toBe('mine');
  });

  it('ignores values the API does not know rather than sending them', () => {
    expect(
      queueFiltersFrom(new URLSearchParams('view=all&status=lost&priority=asap&slaState=red&queue=a%20b')),
    ).toEqual({ view: 'mine', queue: null, status: null, priority: null, slaState: null });
  });

  it('writes back what it reads, so a changed filter can be bookmarked', () => {
    for (const query of [
      '',
      'view=queues',
      'view=mine&queue=support&priority=urgent',
      'view=queues&slaState=breached',
    ]) {
      expect(queueFiltersQuery(queueFiltersFrom(new URLSearchParams(query))).toString()).toBe(query);
    }
  });
});
