import {
  allows,
  checkVersion,
  ForbiddenError,
  NotFoundError,
  retryOnVersionMismatch,
  UnavailableError,
  ValidationError,
  Violations,
} from '@crm/kit';
import {
  type AssignmentRulesInput,
  normaliseRules,
  type RoutedTicket,
  routeTicket,
} from '../domain/assignment-rules';
import {
  type AssignmentMethod,
  availableMembers,
  escalationTarget,
  isMember,
  leastLoaded,
  nextInTurn,
  normaliseQueueFields,
  type QueueFields,
  requireAvailability,
  requireMayChangeAvailability,
} from '../domain/queue';
import { DEFAULT_QUEUE } from '../domain/ticket';
import { queueEvents } from '../events/queue-events';
import { type QueueDoc, RULES_ID, type RulesDoc } from '../store/queue.model';
import type { Caller } from './ports';
import type { QueuePorts } from './queue-ports';

/** Where escalations from the first line go unless a manager says otherwise. */
export const SENIOR_QUEUE = 'tier-2';

/** Shipped so that tickets have somewhere to go from the first day; managers add members. */
const SHIPPED: Record<string, QueueFields> = {
  [DEFAULT_QUEUE]: {
    name: 'First-line support',
    members: [],
    seniorQueue: SENIOR_QUEUE,
    managerId: '',
    assignmentMethod: 'round-robin',
    active: true,
  },
  [SENIOR_QUEUE]: {
    name: 'Second-line support',
    members: [],
    seniorQueue: '',
    managerId: '',
    assignmentMethod: 'least-loaded',
    active: true,
  },
};

/** How far back a turn whose ticket is not stored yet still counts as that ticket being on its way. */
const IN_FLIGHT_MS = 60_000;
/** Two tickets handed out at once race for a turn; this many lost races in a row is a busy queue. */
const TURN_ATTEMPTS = 10;

/**
 * Support queues (members, availability, method, senior queue) and the assignment rules that route new
 * tickets to them. Support staff read them; support managers and admins change them.
 */
export class Queues {
  constructor(private readonly p: QueuePorts) {}

  /** Inserts the shipped queues and empty rules where missing (inserts by key: safe with several replicas). */
  async seed(now = new Date()): Promise<void> {
    const meta = { version: 1, createdAt: now, createdBy: 'system', updatedAt: now, updatedBy: 'system' };
    for (const [key, fields] of Object.entries(SHIPPED))
      await this.p.queues.insert({ _id: key, ...meta, ...fields, outbox: [] });
    await this.p.rules.insert({ _id: RULES_ID, ...meta, rules: [], defaultQueue: DEFAULT_QUEUE, outbox: [] });
  }

  async list(c: Caller): Promise<QueueDoc[]> {
    mayRead(c);
    return this.p.queues.list();
  }

  async get(key: string, c: Caller): Promise<QueueDoc> {
    mayRead(c);
    return this.existing(key);
  }

  /** Creates the queue when the key is new, else replaces it by compare-and-set. */
  async save(key: string, expectedVersion: number, raw: QueueFields, c: Caller): Promise<QueueDoc> {
    mayManage(c);
    const once = async (): Promise<QueueDoc> => {
      const current = await this.p.queues.get(key);
      const was = new Map(current?.members.map((m) => [m.userId, m.availability]));
      // A member listed without availability keeps the one they set themselves.
      const members = (raw.members ?? []).map((m) => ({
        ...m,
        availability: m.availability || was.get(m.userId) || 'available',
      }));
      const fields = normaliseQueueFields(key, { ...raw, members });
      if (fields.seniorQueue && !(await this.p.queues.get(fields.seniorQueue)))
        throw new ValidationError([{ field: 'seniorQueue', description: 'is not a queue' }]);
      const now = new Date();
      if (!current) {
        const doc: QueueDoc = {
          _id: key,
          version: 1,
          ...fields,
          createdAt: now,
          createdBy: c.actor.userId,
          updatedAt: now,
          updatedBy: c.actor.userId,
          outbox: [],
        };
        doc.outbox = [queueEvents.saved(doc, c.actor, c.requestId)];
        if (!(await this.p.queues.insert(doc))) return once(); // created meanwhile: replace it instead
        this.p.written(key);
        return { ...doc, outbox: [] };
      }
      checkVersion(expectedVersion, current.version);
      const next = await this.p.queues.save(current, fields, c.actor, (n) => [
        queueEvents.saved(n, c.actor, c.requestId),
      ]);
      this.p.written(key);
      return next;
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  /** A member says they are available or away (a support manager may say it for anyone). */
  async setAvailability(key: string, userId: string, availability: string, c: Caller): Promise<QueueDoc> {
    mayRead(c);
    const who = userId.trim() || c.actor.userId;
    const value = requireAvailability(availability);
    requireMayChangeAvailability(c.actor, who);
    return retryOnVersionMismatch(async () => {
      const current = await this.existing(key);
      if (!isMember(current, who))
        throw new ValidationError([{ field: 'userId', description: `is not a member of queue ${key}` }]);
      const members = current.members.map((m) => (m.userId === who ? { ...m, availability: value } : m));
      const next = await this.p.queues.save(current, { members }, c.actor, (n) => [
        queueEvents.saved(n, c.actor, c.requestId),
      ]);
      this.p.written(current._id);
      return next;
    });
  }

  async rules(c: Caller): Promise<RulesDoc> {
    mayRead(c);
    return this.currentRules();
  }

  /** Replaces the ordered rules; every queue they name must exist. */
  async saveRules(expectedVersion: number, raw: AssignmentRulesInput, c: Caller): Promise<RulesDoc> {
    mayManage(c);
    const input = normaliseRules(raw);
    const known = new Set((await this.p.queues.list()).map((q) => q._id));
    const v = new Violations();
    input.rules.forEach((r, i) => {
      if (!known.has(r.queue)) v.add(`rules[${i}].queue`, 'is not a queue');
    });
    if (!known.has(input.defaultQueue)) v.add('defaultQueue', 'is not a queue');
    v.throwIfAny();
    const once = async () => {
      const current = await this.currentRules();
      checkVersion(expectedVersion, current.version);
      return this.p.rules.save(current, input, c.actor);
    };
    return expectedVersion ? once() : retryOnVersionMismatch(once);
  }

  /** The queue of a new ticket nobody put in one: the first matching rule, else the default queue. */
  async route(t: RoutedTicket): Promise<{ queue: string; rule?: string }> {
    const rules = await this.currentRules();
    const active = new Set((await this.p.queues.list()).filter((q) => q.active).map((q) => q._id));
    return routeTicket(rules, t, (q) => active.has(q));
  }

  /** The queue, or a ValidationError naming the field that names it. */
  async requireQueue(key: string, field: string): Promise<QueueDoc> {
    const q = key ? await this.p.queues.get(key) : undefined;
    if (!q) throw new ValidationError([{ field, description: 'is not a queue' }]);
    return q;
  }

  async isMember(key: string, userId: string): Promise<boolean> {
    const q = await this.p.queues.get(key);
    return !!q && isMember(q, userId);
  }

  /** The queues that list the user as a member. */
  memberOf(userId: string): Promise<string[]> {
    return this.p.queues.keysWithMember(userId);
  }

  /** Where an escalation from the queue goes: its senior queue, else its manager (else it stays). */
  async escalationTarget(key: string): Promise<{ queue: string; managerId: string }> {
    return escalationTarget(await this.p.queues.get(key));
  }

  /**
   * An available member of an active queue for a new ticket, by the queue's method; undefined when
   * nobody is available. The turn is claimed by inserting `<queue>#<seq>`: of two tickets handed out at
   * once one wins the number, the other reads the new last turn and takes the next member.
   */
  async pickAgent(
    key: string,
    ticketId: string,
    now = new Date(),
  ): Promise<{ agentId: string; method: AssignmentMethod } | undefined> {
    for (let attempt = 0; attempt < TURN_ATTEMPTS; attempt++) {
      const q = await this.p.queues.get(key);
      if (!q?.active) return undefined;
      const last = await this.p.turns.last(key);
      const agentId =
        q.assignmentMethod === 'least-loaded'
          ? leastLoaded(q, await this.loadOf(q, now), last?.agentId)
          : nextInTurn(q, last?.agentId);
      if (!agentId) return undefined;
      const seq = (last?.seq ?? 0) + 1;
      if (await this.p.turns.claim({ _id: `${key}#${seq}`, queue: key, seq, agentId, ticketId, at: now }))
        return { agentId, method: q.assignmentMethod };
    }
    throw new UnavailableError(`queue ${key} is busy handing out tickets; try again`);
  }

  /**
   * Open tickets per available member, counting the tickets handed out a moment ago that are not
   * written yet (a turn is claimed just before its ticket is stored), so two tickets at once do not
   * both go to the same least-loaded member.
   */
  private async loadOf(q: QueueDoc, now: Date): Promise<Map<string, number>> {
    const load = await this.p.load.openTickets(availableMembers(q));
    const recent = await this.p.turns.since(q._id, new Date(now.getTime() - IN_FLIGHT_MS));
    const stored = await this.p.load.stored(recent.map((t) => t.ticketId));
    for (const turn of recent.filter((t) => !stored.has(t.ticketId)))
      load.set(turn.agentId, (load.get(turn.agentId) ?? 0) + 1);
    return load;
  }

  private async existing(key: string): Promise<QueueDoc> {
    const q = await this.p.queues.get(key.trim());
    if (!q) throw new NotFoundError('queue', key);
    return q;
  }

  private async currentRules(): Promise<RulesDoc> {
    const rules = await this.p.rules.get();
    if (!rules) throw new UnavailableError('the assignment rules are not set up yet');
    return rules;
  }
}

function mayRead(c: Caller): void {
  if (!allows(c.actor.roles, 'queue.read')) throw new ForbiddenError('only support staff read queues');
}

function mayManage(c: Caller): void {
  if (!allows(c.actor.roles, 'support.manage'))
    throw new ForbiddenError('only support managers and admins change queues and assignment rules');
}
