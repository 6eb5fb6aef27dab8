import { type Actor, canSee } from '@crm/kit/domain';
import type {
  FactFilter,
  FactStore,
  Generations,
  RebuildLog,
  RebuildStatus,
  StoredEvent,
  StreamReader,
  TicketFilter,
} from '../../src/application/ports';
import type { AccountFact, LeadFact, OpportunityFact, PipelineFact, QuoteFact } from '../../src/domain/facts';
import type { ActivityFact } from '../../src/domain/activity-facts';
import type { PaymentFact } from '../../src/domain/payment-facts';
import type { TicketFact } from '../../src/domain/ticket-facts';

type Fact = { _id: string; version: number; day?: string; ownerId?: string; teamId?: string };

const matches = (f: Fact, q: FactFilter) =>
  (!q.from || (f.day ?? '') >= q.from) &&
  (!q.to || (f.day ?? '') <= q.to) &&
  (!q.ownerId || f.ownerId === q.ownerId) &&
  (!q.teamId || f.teamId === q.teamId) &&
  canSee(q.reader, f);

/** Facts in maps, one set per generation; saving at a stale version throws like the Mongo store. */
export class InMemoryFactStore implements FactStore {
  readonly gens = new Map<
    number,
    {
      lead: Map<string, LeadFact>;
      opp: Map<string, OpportunityFact>;
      pipe: Map<string, PipelineFact>;
      quote: Map<string, QuoteFact>;
      ticket: Map<string, TicketFact>;
      payment: Map<string, PaymentFact>;
      activity: Map<string, ActivityFact>;
      account: Map<string, AccountFact>;
    }
  >();

  private g(n: number) {
    if (!this.gens.has(n))
      this.gens.set(n, {
        lead: new Map(),
        opp: new Map(),
        pipe: new Map(),
        quote: new Map(),
        ticket: new Map(),
        payment: new Map(),
        activity: new Map(),
        account: new Map(),
      });
    return this.gens.get(n)!;
  }

  private put<T extends Fact>(map: Map<string, T>, fact: T, previous: number | undefined) {
    if (map.get(fact._id)?.version !== previous) throw new Error(`${fact._id} was written meanwhile`);
    map.set(fact._id, structuredClone(fact));
  }

  lead = async (n: number, id: string) => structuredClone(this.g(n).lead.get(id));
  account = async (n: number, id: string) => structuredClone(this.g(n).account.get(id));
  saveAccount = async (n: number, f: AccountFact, p: number | undefined) => this.put(this.g(n).account, f, p);
  accountsByIds = async (n: number, ids: string[]) =>
    ids.flatMap((id) => (this.g(n).account.has(id) ? [structuredClone(this.g(n).account.get(id)!)] : []));
  opportunity = async (n: number, id: string) => structuredClone(this.g(n).opp.get(id));
  pipeline = async (n: number, id: string) => structuredClone(this.g(n).pipe.get(id));
  saveLead = async (n: number, f: LeadFact, p: number | undefined) => this.put(this.g(n).lead, f, p);
  saveOpportunity = async (n: number, f: OpportunityFact, p: number | undefined) =>
    this.put(this.g(n).opp, f, p);
  savePipeline = async (n: number, f: PipelineFact, p: number | undefined) => this.put(this.g(n).pipe, f, p);
  leads = async (n: number, q: FactFilter) => [...this.g(n).lead.values()].filter((f) => matches(f, q));
  opportunities = async (n: number, q: FactFilter) =>
    [...this.g(n).opp.values()].filter((f) => matches(f, q));
  pipelines = async (n: number) => [...this.g(n).pipe.values()];
  quote = async (n: number, id: string) => structuredClone(this.g(n).quote.get(id));
  saveQuote = async (n: number, f: QuoteFact, p: number | undefined) => this.put(this.g(n).quote, f, p);
  ticket = async (n: number, id: string) => structuredClone(this.g(n).ticket.get(id));
  saveTicket = async (n: number, f: TicketFact, p: number | undefined) => this.put(this.g(n).ticket, f, p);
  payment = async (n: number, id: string) => structuredClone(this.g(n).payment.get(id));
  savePayment = async (n: number, f: PaymentFact, p: number | undefined) => this.put(this.g(n).payment, f, p);
  payments = async (n: number, q: FactFilter) => [...this.g(n).payment.values()].filter((f) => matches(f, q));
  activity = async (n: number, id: string) => structuredClone(this.g(n).activity.get(id));
  saveActivity = async (n: number, f: ActivityFact, p: number | undefined) =>
    this.put(this.g(n).activity, f, p);
  activities = async (n: number, q: FactFilter) =>
    [...this.g(n).activity.values()].filter((f) => matches(f, q));
  leadsByIds = async (n: number, ids: string[]) =>
    [...this.g(n).lead.values()].filter((x) => ids.includes(x._id));
  quotes = async (n: number, ids: string[]) =>
    [...this.g(n).quote.values()].filter((x) => ids.includes(x.opportunityId));
  tickets = async (n: number, q: TicketFilter) =>
    [...this.g(n).ticket.values()].filter(
      (t) =>
        (!q.from || t.day >= q.from) &&
        (!q.to || t.day <= q.to) &&
        (!q.assigneeId || t.assigneeId === q.assigneeId) &&
        (!q.queue || t.queue === q.queue),
    );
  drop = async (n: number) => void this.gens.delete(n);
}

export class InMemoryGenerations implements Generations {
  generation = 1;
  swappedBy = '';
  current = async () => this.generation;
  async swap(from: number, next: number, by: Actor) {
    if (this.generation !== from) return false;
    this.generation = next;
    this.swappedBy = by.userId;
    return true;
  }
}

/** Streams as arrays; `onRead` runs before each event is handed out (to publish "live" events meanwhile). */
export class InMemoryStreams<E> implements StreamReader<E> {
  readonly data = new Map<string, E[]>();
  onRead?: (stream: string, seq: number) => Promise<void>;

  constructor(readonly streams: string[]) {
    for (const s of streams) this.data.set(s, []);
  }

  publish(stream: string, event: E) {
    this.data.get(stream)!.push(event);
    return this.data.get(stream)!.length;
  }

  lastSeq = async (stream: string) => this.data.get(stream)!.length;

  async *read(stream: string, fromSeq: number, toSeq: number): AsyncIterable<StoredEvent<E>> {
    for (let seq = fromSeq; seq <= toSeq; seq += 1) {
      await this.onRead?.(stream, seq);
      yield { seq, event: this.data.get(stream)![seq - 1]! };
    }
  }
}

export class InMemoryRebuildLog implements RebuildLog {
  saved: RebuildStatus[] = [];
  last = async () => structuredClone(this.saved.at(-1));
  save = async (status: RebuildStatus) => void this.saved.push(structuredClone(status));
}
