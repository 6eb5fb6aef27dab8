import { type Actor, decodeOffset, encodeOffset, type OutboxEntry, VersionMismatchError } from '@crm/kit';
import type {
  OpportunityPorts,
  OpportunityQuery,
  OpportunityRepository,
  PipelineRepository,
} from '../../src/application/ports';
import { canRead } from '../../src/domain/deal-team';
import type { LossReasonsDoc, OpportunityDoc, PipelineDoc } from '../../src/store/opportunity.model';
import { InMemoryApprovals } from './in-memory-approvals';

interface Stored {
  _id: string;
  version: number;
  outbox: OutboxEntry[];
}

/** One collection with the write semantics of kit's saveAtVersion; records are copied in and out. */
class Collection<T extends Stored> {
  readonly docs = new Map<string, T>();
  /** Every event written, in order. */
  readonly events: OutboxEntry[] = [];

  async get(id: string): Promise<T | undefined> {
    const d = this.docs.get(id);
    return d ? { ...structuredClone(d), outbox: [] } : undefined;
  }

  all(): T[] {
    return [...this.docs.values()].map((d) => ({ ...structuredClone(d), outbox: [] }));
  }

  async insert(doc: T): Promise<boolean> {
    if (this.docs.has(doc._id)) return false;
    this.docs.set(doc._id, structuredClone(doc));
    this.events.push(...doc.outbox);
    return true;
  }

  async save(current: T, set: Partial<T>, actor: Actor, events: (next: T) => OutboxEntry[]): Promise<T> {
    const stored = this.docs.get(current._id);
    if (!stored || stored.version !== current.version)
      throw new VersionMismatchError(current.version, stored?.version ?? current.version);
    const next = {
      ...current,
      ...set,
      version: current.version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    };
    const outbox = events(next);
    this.docs.set(current._id, { ...structuredClone(next), outbox: [...stored.outbox, ...outbox] });
    this.events.push(...outbox);
    return next;
  }

  /** Event names in order, without the package (OpportunityCreated, ...). */
  subjects(): string[] {
    return this.events.map((e) => e.subject.replace('crm.opportunity.v1.', ''));
  }
}

export class InMemoryPipelines extends Collection<PipelineDoc> implements PipelineRepository {
  async list() {
    return this.all();
  }
}

export class InMemoryOpportunities extends Collection<OpportunityDoc> implements OpportunityRepository {
  async countInStage(pipelineId: string, stageKey: string) {
    return (await this.inStage(pipelineId, stageKey)).length;
  }
  async inStage(pipelineId: string, stageKey: string) {
    return this.all().filter((o) => !o.discardedAt && o.pipelineId === pipelineId && o.stageKey === stageKey);
  }
  /** Newest first, offset-paged (the store pages by cursor; the order is what matters here). */
  async list(q: OpportunityQuery) {
    const hits = this.all()
      .filter((o) => !o.discardedAt && canRead(q.visibleTo, o))
      .filter((o) => !q.stageKey || o.stageKey === q.stageKey)
      .filter((o) => !q.ownerId || o.ownerId === q.ownerId)
      .filter((o) => !q.teamId || o.teamId === q.teamId)
      .filter((o) => !q.closeDateFrom || o.expectedCloseDate >= q.closeDateFrom)
      .filter((o) => !q.closeDateTo || (!!o.expectedCloseDate && o.expectedCloseDate <= q.closeDateTo))
      .filter((o) => q.amountMinMinor === undefined || o.amountMinor >= q.amountMinMinor)
      .filter((o) => q.amountMaxMinor === undefined || o.amountMinor <= q.amountMaxMinor)
      .filter(
        (o) =>
          !q.stagesIn ||
          q.stagesIn.some((s) => s.pipelineId === o.pipelineId && s.stageKeys.includes(o.stageKey)),
      )
      .filter((o) => !q.accountId || o.accountId === q.accountId)
      .filter((o) => !q.pipelineId || o.pipelineId === q.pipelineId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id.localeCompare(a._id));
    const from = decodeOffset(q.cursor);
    const page = hits.slice(from, from + q.limit);
    return {
      opportunities: page,
      nextCursor: from + q.limit < hits.length ? encodeOffset(from + q.limit) : '',
    };
  }
}

export function inMemoryPorts() {
  const pipelines = new InMemoryPipelines();
  const opportunities = new InMemoryOpportunities();
  const written: string[] = [];
  /** Accounts the account service would show to anyone: add ids to make them exist. */
  const accounts = new Set<string>(['acc-1', 'acc-2']);
  /** Contact id -> its account id. */
  const contacts = new Map<string, string>([
    ['contact-ceo', 'acc-1'],
    ['contact-cfo-2', 'acc-2'],
  ]);
  const approvals = new InMemoryApprovals();
  let lossReasons: LossReasonsDoc | undefined;
  const ports: OpportunityPorts = {
    pipelines,
    opportunities,
    accounts: {
      isVisible: async (id) => accounts.has(id),
      accountOfContact: async (id) => contacts.get(id),
    },
    approvals,
    lossReasons: {
      get: async () => (lossReasons ? structuredClone(lossReasons) : undefined),
      put: async (version, reasons, actor) => {
        if ((lossReasons?.version ?? 0) !== version)
          throw new VersionMismatchError(version, lossReasons?.version ?? 0);
        lossReasons = {
          _id: 'loss-reasons',
          version: version + 1,
          reasons,
          updatedAt: new Date(),
          updatedBy: actor.userId,
        };
        return structuredClone(lossReasons);
      },
    },
    written: (kind, id) => void written.push(`${kind}:${id}`),
  };
  return { ports, pipelines, opportunities, written, accounts, contacts, approvals };
}
