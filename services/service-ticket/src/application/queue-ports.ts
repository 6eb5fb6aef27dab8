import type { Actor, OutboxEntry } from '@crm/kit';
import type { QueueDoc, RulesDoc, TurnDoc } from '../store/queue.model';
import type { Written } from './ports';

export interface QueueRepository {
  get(key: string): Promise<QueueDoc | undefined>;
  list(): Promise<QueueDoc[]>;
  /** Keys of the queues that list the user as a member. */
  keysWithMember(userId: string): Promise<string[]>;
  /** Inserts; false when the key is taken. */
  insert(doc: QueueDoc): Promise<boolean>;
  /** Compare-and-set on the version with its events; throws VersionMismatchError when another write came first. */
  save(
    current: QueueDoc,
    set: Partial<QueueDoc>,
    actor: Actor,
    events: (next: QueueDoc) => OutboxEntry[],
  ): Promise<QueueDoc>;
}

/** The one assignment-rules document. */
export interface RulesRepository {
  get(): Promise<RulesDoc | undefined>;
  insert(doc: RulesDoc): Promise<boolean>;
  save(current: RulesDoc, set: Partial<RulesDoc>, actor: Actor): Promise<RulesDoc>;
}

/** The rotation of each queue, one insert per ticket handed out. */
export interface TurnLog {
  /** The latest turn of a queue; undefined before the first. */
  last(queue: string): Promise<TurnDoc | undefined>;
  /** Inserts the turn by its id; false when another ticket took that turn number first. */
  claim(turn: TurnDoc): Promise<boolean>;
  /** The turns of a queue taken since the time given. */
  since(queue: string, from: Date): Promise<TurnDoc[]>;
}

/** Open (new, open, pending) tickets per agent. */
export interface OpenLoad {
  openTickets(agentIds: string[]): Promise<Map<string, number>>;
  /** Which of these tickets are stored (a turn's ticket is written just after the turn). */
  stored(ticketIds: string[]): Promise<Set<string>>;
}

export interface QueuePorts {
  queues: QueueRepository;
  rules: RulesRepository;
  turns: TurnLog;
  load: OpenLoad;
  /** Tells the outbox relay that a queue has new events. */
  written: Written;
}
