import { type Connection, type Model, Schema } from 'mongoose';
import {
  DuplicateError,
  NotFoundError,
  ValidationError,
  VersionedWrites,
  VersionMismatchError,
} from '@crm/kit';
import { checkChange, type DefinitionDraft, validateDefinition } from './definition';
import { type Entity, type FieldDefinition, KEY_PATTERN, MAX_FIELDS_PER_ENTITY } from './types';

/**
 * Where definitions live. One document per field, `_id` = `${entity}:${key}`, in the owning service's
 * own database. The collection is small (at most a few hundred documents), so it is read whole and
 * cached; single fields are read by _id (FerretDB serves that without a scan).
 */
export interface DefinitionRepository {
  /** Every stored definition, archived ones included. */
  all(): Promise<FieldDefinition[]>;
  get(entity: string, key: string): Promise<FieldDefinition | undefined>;
  /** Inserts a new definition; false when one with the same id exists. */
  insert(d: FieldDefinition): Promise<boolean>;
  /** Replaces the stored definition only if it is still at `version` (compare-and-set); false otherwise. */
  replace(d: FieldDefinition, version: number): Promise<boolean>;
}

export const COLLECTION = 'custom_field_definitions';
const idOf = (entity: string, key: string) => `${entity}:${key}`;

interface DefinitionDoc extends FieldDefinition {
  _id: string;
}

const definitionSchema = new Schema<DefinitionDoc>(
  {
    _id: String,
    entity: { type: String, required: true },
    key: { type: String, required: true },
    label: String,
    type: { type: String, required: true },
    required: Boolean,
    constraints: Schema.Types.Mixed,
    version: { type: Number, required: true },
    archived: Boolean,
    createdAt: Date,
    createdBy: String,
    updatedAt: Date,
    updatedBy: String,
  },
  { versionKey: false, minimize: false },
);

const fromDoc = ({ _id: _ignored, ...d }: DefinitionDoc): FieldDefinition => ({
  ...d,
  required: d.required ?? false,
  archived: d.archived ?? false,
  constraints: d.constraints ?? {},
});

/** The mongoose repository: model `CustomFieldDefinition` on the service's own connection. */
export class MongoDefinitionRepository implements DefinitionRepository {
  private readonly model: Model<DefinitionDoc>;
  private readonly writes: VersionedWrites;

  constructor(db: Connection) {
    this.model =
      (db.models['CustomFieldDefinition'] as Model<DefinitionDoc> | undefined) ??
      db.model<DefinitionDoc>('CustomFieldDefinition', definitionSchema, COLLECTION);
    this.writes = new VersionedWrites(this.model);
  }

  async all(): Promise<FieldDefinition[]> {
    return (await this.model.find({}).lean<DefinitionDoc[]>()).map(fromDoc);
  }

  async get(entity: string, key: string): Promise<FieldDefinition | undefined> {
    const doc = await this.model.findById(idOf(entity, key)).lean<DefinitionDoc>();
    return doc ? fromDoc(doc) : undefined;
  }

  async insert(d: FieldDefinition): Promise<boolean> {
    try {
      await this.model.create({ _id: idOf(d.entity, d.key), ...d });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  async replace(d: FieldDefinition, version: number): Promise<boolean> {
    return this.writes.updateAtVersion(idOf(d.entity, d.key), version, { $set: { ...d } });
  }
}

/** An in-memory repository, for unit tests of services that use custom fields. */
export class MemoryDefinitionRepository implements DefinitionRepository {
  readonly docs = new Map<string, FieldDefinition>();

  async all(): Promise<FieldDefinition[]> {
    return [...this.docs.values()].map((d) => structuredClone(d));
  }
  async get(entity: string, key: string): Promise<FieldDefinition | undefined> {
    const d = this.docs.get(idOf(entity, key));
    return d && structuredClone(d);
  }
  async insert(d: FieldDefinition): Promise<boolean> {
    if (this.docs.has(idOf(d.entity, d.key))) return false;
    this.docs.set(idOf(d.entity, d.key), structuredClone(d));
    return true;
  }
  async replace(d: FieldDefinition, version: number): Promise<boolean> {
    if (this.docs.get(idOf(d.entity, d.key))?.version !== version) return false;
    this.docs.set(idOf(d.entity, d.key), structuredClone(d));
    return true;
  }
}

export interface DefinitionStoreOptions {
  /** How long a replica trusts its cached definitions before reading them again (default 5 s). */
  ttlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Definitions of the entities a service owns: cached in memory for ttlMs so that every replica sees
 * another replica's change within a few seconds, and changed by single-document compare-and-set writes.
 */
export class DefinitionStore {
  private cache?: { at: number; defs: FieldDefinition[] };
  private loading?: Promise<FieldDefinition[]>;
  private seq = 0;
  private cachedSeq = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly repo: DefinitionRepository,
    readonly entities: readonly Entity[],
    opts: DefinitionStoreOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** The definitions (archived included) of the owned entities; from the cache while it is fresh. */
  async all(): Promise<FieldDefinition[]> {
    if (this.cache && this.now() - this.cache.at < this.ttlMs) return this.cache.defs;
    return this.loading ?? this.load();
  }

  /** The last loaded definitions without waiting (undefined before the first load); refreshes when stale. */
  peek(): FieldDefinition[] | undefined {
    if (!this.cache || this.now() - this.cache.at >= this.ttlMs)
      void (this.loading ?? this.load()).catch(() => undefined);
    return this.cache?.defs;
  }

  /** Reads the definitions now; a load that started earlier never overwrites a later one. */
  load(): Promise<FieldDefinition[]> {
    const mine = ++this.seq;
    const p = this.repo.all().then((all) => {
      const defs = all.filter((d) => this.entities.includes(d.entity));
      if (mine > this.cachedSeq) {
        this.cache = { at: this.now(), defs };
        this.cachedSeq = mine;
      }
      return defs;
    });
    this.loading = p;
    const clear = () => {
      if (this.loading === p) this.loading = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /**
   * Creates or updates a definition by entity and key (re-creating an archived key restores it). The
   * type never changes (checkChange); expectedVersion 0 means no check; createOnly refuses an active key.
   */
  async put(
    draft: DefinitionDraft,
    opts: { expectedVersion?: number; createOnly?: boolean },
    actorId: string,
  ): Promise<FieldDefinition> {
    const def = validateDefinition(draft);
    this.requireOwned(def.entity);
    const current = await this.repo.get(def.entity, def.key);
    if (opts.createOnly && current && !current.archived) {
      throw new DuplicateError(
        `custom field "${def.key}" of ${def.entity} already exists`,
        'DUPLICATE_CUSTOM_FIELD',
        { entity: def.entity, key: def.key },
      );
    }
    const version = current?.version ?? 0;
    if (opts.expectedVersion && opts.expectedVersion !== version)
      throw new VersionMismatchError(opts.expectedVersion, version);
    checkChange(current, def);
    if (!current || current.archived) {
      const active = (await this.load()).filter((d) => d.entity === def.entity && !d.archived);
      if (active.length >= MAX_FIELDS_PER_ENTITY) {
        throw new ValidationError([
          { field: 'key', description: `${def.entity} already has ${MAX_FIELDS_PER_ENTITY} custom fields` },
        ]);
      }
    }
    const at = new Date(this.now());
    const next: FieldDefinition = {
      ...def,
      version: version + 1,
      archived: false,
      createdAt: current?.createdAt ?? at,
      createdBy: current?.createdBy ?? actorId,
      updatedAt: at,
      updatedBy: actorId,
    };
    const written = current ? await this.repo.replace(next, version) : await this.repo.insert(next);
    if (!written) {
      if (opts.createOnly && !current)
        throw new DuplicateError(
          `custom field "${def.key}" of ${def.entity} already exists`,
          'DUPLICATE_CUSTOM_FIELD',
          { entity: def.entity, key: def.key },
        );
      const now = await this.repo.get(def.entity, def.key);
      throw new VersionMismatchError(version, now?.version ?? version + 1);
    }
    await this.load();
    return next;
  }

  /** Archives a field: the definition and every stored value stay; readers no longer see it. */
  async archive(
    entity: string,
    key: string,
    expectedVersion: number,
    actorId: string,
  ): Promise<FieldDefinition> {
    this.requireOwned(entity);
    const current = KEY_PATTERN.test(key) ? await this.repo.get(entity, key) : undefined;
    if (!current) throw new NotFoundError('custom field', `${entity}.${key.slice(0, 64)}`);
    if (expectedVersion && expectedVersion !== current.version)
      throw new VersionMismatchError(expectedVersion, current.version);
    if (current.archived) return current;
    const next: FieldDefinition = {
      ...current,
      archived: true,
      version: current.version + 1,
      updatedAt: new Date(this.now()),
      updatedBy: actorId,
    };
    if (!(await this.repo.replace(next, current.version))) {
      const now = await this.repo.get(entity, key);
      throw new VersionMismatchError(current.version, now?.version ?? current.version + 1);
    }
    await this.load();
    return next;
  }

  requireOwned(entity: unknown, field = 'entity'): Entity {
    if (typeof entity === 'string' && this.entities.includes(entity as Entity)) return entity as Entity;
    throw new ValidationError([
      { field, description: `must be one of ${this.entities.join(', ')} (the entities this service owns)` },
    ]);
  }
}
