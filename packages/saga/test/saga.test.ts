import { Saga, SagaCompensated, SagaSuspended, type SagaState } from '../src';

interface Data {
  accountId?: string;
  contactId?: string;
  converted?: boolean;
}

class Away extends Error {}
class Rejected extends Error {}

/** A pretend account service and lead: records what exists, and fails on demand. */
function world() {
  const w = {
    accounts: new Set<string>(),
    contacts: new Set<string>(),
    converted: false,
    fail: {} as Record<string, Error | undefined>,
    journal: [] as SagaState<Data>[],
  };
  const maybeFail = (step: string) => {
    const e = w.fail[step];
    if (e) throw e;
  };
  const saga = new Saga<typeof w, Data>(
    'convert',
    [
      {
        name: 'account',
        run: async (ctx) => (maybeFail('account'), ctx.accounts.add('a1'), { accountId: 'a1' }),
        compensate: async (ctx, d) => void ctx.accounts.delete(d.accountId!),
      },
      {
        name: 'contact',
        run: async (ctx) => (maybeFail('contact'), ctx.contacts.add('c1'), { contactId: 'c1' }),
        compensate: async (ctx, d) => (maybeFail('undo-contact'), void ctx.contacts.delete(d.contactId!)),
      },
      {
        name: 'lead',
        run: async (ctx) => (maybeFail('lead'), (ctx.converted = true), { converted: true }),
      },
    ],
    (err) => err instanceof Away,
  );
  const save = async (s: SagaState<Data>) => void w.journal.push(s);
  return { w, saga, save, last: () => w.journal[w.journal.length - 1]! };
}

describe('saga', () => {
  it('runs every step once and journals each one', async () => {
    const { w, saga, save } = world();
    const done = await saga.run(w, saga.begin('k', {}), save);
    expect(done.status).toBe('completed');
    expect(done.data).toEqual({ accountId: 'a1', contactId: 'c1', converted: true });
    expect(w.journal.map((s) => s.completed.length)).toEqual([1, 2, 3, 3]);
  });

  it('suspends on a passing failure, keeps what is done, and a retry finishes without redoing it', async () => {
    const { w, saga, save, last } = world();
    w.fail.contact = new Away('account service unavailable');
    await expect(saga.run(w, saga.begin('k', {}), save)).rejects.toBeInstanceOf(SagaSuspended);
    expect(last()).toMatchObject({ status: 'running', completed: ['account'], data: { accountId: 'a1' } });
    expect(w.accounts.size).toBe(1);

    w.fail.contact = undefined;
    const runs: string[] = [];
    w.accounts.add = ((id: string) => (runs.push(id), Set.prototype.add.call(w.accounts, id))) as never;
    const done = await saga.run(w, last(), save);
    expect(done.status).toBe('completed');
    expect(runs).toEqual([]); // the account step did not run again
    expect(done.attempts).toBe(2);
    expect(done.error).toBeUndefined();
  });

  it('undoes finished steps in reverse when a step fails for good, leaving nothing behind', async () => {
    const { w, saga, save, last } = world();
    w.fail.lead = new Rejected('lead is no longer convertible');
    await expect(saga.run(w, saga.begin('k', {}), save)).rejects.toThrow('no longer convertible');
    expect(w.accounts.size).toBe(0);
    expect(w.contacts.size).toBe(0);
    expect(last()).toMatchObject({ status: 'compensated', completed: [] });
  });

  it('finishes an interrupted compensation on the next attempt', async () => {
    const { w, saga, save, last } = world();
    w.fail.lead = new Rejected('rejected');
    w.fail['undo-contact'] = new Away('away');
    await expect(saga.run(w, saga.begin('k', {}), save)).rejects.toBeInstanceOf(SagaSuspended);
    expect(last()).toMatchObject({ status: 'compensating', completed: ['account', 'contact'] });

    w.fail['undo-contact'] = undefined;
    await expect(saga.run(w, last(), save)).rejects.toThrow(new SagaCompensated('rejected'));
    expect(last().status).toBe('compensated');
    expect(w.accounts.size + w.contacts.size).toBe(0);
  });

  it('replays a completed saga without running anything', async () => {
    const { w, saga, save } = world();
    const done = await saga.run(w, saga.begin('k', {}), save);
    w.fail.account = new Rejected('must not run');
    await expect(saga.run(w, done, save)).resolves.toMatchObject({ status: 'completed' });
  });
});
