/**
 * A saga: steps across services that cannot share a transaction. Its state is a plain value the
 * caller journals (for the lead conversion: inside the lead document), so a crash, a timeout or a
 * client retry resumes at the first unfinished step. Every step and every compensation must be
 * idempotent, because a step may run again after it succeeded but before the journal recorded it.
 */
export type SagaStatus = 'running' | 'completed' | 'compensating' | 'compensated';

export interface SagaState<D> {
  /** The caller's idempotency key: the same key resumes or replays this saga. */
  key: string;
  status: SagaStatus;
  /** Names of the steps that finished, in order. */
  completed: string[];
  /** What the steps produced so far (ids and flags), merged step by step. */
  data: D;
  /** Why the last attempt stopped, if it did. */
  error?: string;
  attempts: number;
}

export interface SagaStep<C, D> {
  name: string;
  /** Does the step's work and returns what it adds to the saga's data. */
  run(ctx: C, data: D): Promise<Partial<D>>;
  /** Undoes run when a later step fails for good. Steps without one need no undo. */
  compensate?(ctx: C, data: D): Promise<void>;
}

/** Persists the state after every transition; must be a single atomic write. */
export type SagaJournal<D> = (state: SagaState<D>) => Promise<void>;

/** The saga stopped on an error that a retry may cure (a service away): state says where it stands. */
export class SagaSuspended extends Error {
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(`saga suspended at step "${step}": ${errorText(reason)}`);
  }
}

/** A resumed saga finished undoing itself; message is the error that made it undo. */
export class SagaCompensated extends Error {}

export class Saga<C, D extends object> {
  /**
   * @param isTransient tells a passing failure (retry later, keep what is done) from a final one
   *   (undo what is done).
   */
  constructor(
    readonly name: string,
    readonly steps: SagaStep<C, D>[],
    private readonly isTransient: (err: unknown) => boolean,
  ) {
    const names = new Set(steps.map((s) => s.name));
    if (names.size !== steps.length) throw new Error(`saga ${name}: step names must be unique`);
  }

  begin(key: string, data: D): SagaState<D> {
    return { key, status: 'running', completed: [], data, attempts: 0 };
  }

  /**
   * Runs or resumes the saga. Resolves with the completed state; rejects with SagaSuspended on a
   * transient failure (state journaled, resumable), or with the original error after compensating.
   */
  async run(ctx: C, initial: SagaState<D>, journal: SagaJournal<D>): Promise<SagaState<D>> {
    if (initial.status === 'completed') return initial;
    let state: SagaState<D> = { ...initial, attempts: initial.attempts + 1 };
    if (state.status === 'running') {
      state = { ...state, error: undefined };
      for (const step of this.steps) {
        if (state.completed.includes(step.name)) continue;
        try {
          const out = await step.run(ctx, state.data);
          state = { ...state, data: { ...state.data, ...out }, completed: [...state.completed, step.name] };
          await journal(state);
        } catch (err) {
          if (this.isTransient(err)) {
            await journal({ ...state, error: errorText(err) });
            throw new SagaSuspended(step.name, err);
          }
          state = { ...state, status: 'compensating', error: errorText(err) };
          await journal(state);
          await this.compensate(ctx, state, journal);
          throw err;
        }
      }
      state = { ...state, status: 'completed' };
      await journal(state);
      return state;
    }
    // Resuming an interrupted compensation: finish it; the original error is in state.error.
    if (state.status === 'compensating') await this.compensate(ctx, state, journal);
    throw new SagaCompensated(state.error ?? `saga ${this.name} was undone`);
  }

  private async compensate(ctx: C, start: SagaState<D>, journal: SagaJournal<D>): Promise<void> {
    let state = start;
    for (const step of [...this.steps].reverse()) {
      if (!state.completed.includes(step.name)) continue;
      try {
        await step.compensate?.(ctx, state.data);
      } catch (err) {
        // Even an undo can meet a service that is away: keep the state and let a retry finish it.
        await journal(state);
        throw new SagaSuspended(`compensate ${step.name}`, err);
      }
      state = { ...state, completed: state.completed.filter((n) => n !== step.name) };
      await journal(state);
    }
    await journal({ ...state, status: 'compensated' });
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
