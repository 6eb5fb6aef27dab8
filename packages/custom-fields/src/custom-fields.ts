import type { Connection } from 'mongoose';
import { type Actor, allows, ForbiddenError } from '@crm/kit';
import type { customFields as pb } from '@crm/proto';
import type { CallContext } from 'nice-grpc';
import type { DefinitionDraft } from './definition';
import { customFieldGrpc } from './grpc';
import {
  type DefinitionRepository,
  DefinitionStore,
  type DefinitionStoreOptions,
  MongoDefinitionRepository,
} from './store';
import type { CustomValues, Entity, FieldDefinition } from './types';
import { CustomFieldSet, type ValueOptions } from './values';

const isConnection = (db: Connection | DefinitionRepository): db is Connection =>
  typeof (db as Connection).model === 'function';

/**
 * Custom fields for the entities one service owns, e.g. `new CustomFields(db, ['lead'])` in the lead
 * service or `new CustomFields(db, ['account', 'contact'])` in the account service. Definitions live in
 * that service's database (collection custom_field_definitions) and are cached for a few seconds.
 *
 * Values are validated on every write (validateCreate, validatePatch), filtered in lists (filter),
 * hidden when archived (visible), and the definitions are served over gRPC (grpc()).
 */
export class CustomFields {
  readonly store: DefinitionStore;
  private sets = new Map<Entity, CustomFieldSet>();
  private setsOf?: FieldDefinition[];

  constructor(
    db: Connection | DefinitionRepository,
    readonly entities: readonly Entity[],
    opts: DefinitionStoreOptions = {},
  ) {
    const repo = isConnection(db) ? new MongoDefinitionRepository(db) : db;
    this.store = new DefinitionStore(repo, entities, opts);
  }

  /** Reads the definitions now (call once at start-up, so that visibleNow has them from the first call). */
  async load(): Promise<void> {
    await this.store.load();
  }

  /** The current fields of an entity, as a synchronous validator/filter (cached for a few seconds). */
  async fields(entity: Entity): Promise<CustomFieldSet> {
    return this.setFor(this.store.requireOwned(entity), await this.store.all());
  }

  /** Definitions of an entity ordered by key; active ones only unless includeArchived. */
  async definitions(entity: Entity, opts: { includeArchived?: boolean } = {}): Promise<FieldDefinition[]> {
    this.store.requireOwned(entity);
    return (await this.store.all())
      .filter((d) => d.entity === entity && (opts.includeArchived || !d.archived))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Values of a new record, validated and normalised; throws ValidationError (`customFields.<key>`). */
  async validateCreate(entity: Entity, values: unknown, opts?: ValueOptions): Promise<CustomValues> {
    return (await this.fields(entity)).validateCreate(values, opts);
  }

  /** The complete values to store after a partial update (null removes; archived values kept). */
  async validatePatch(
    entity: Entity,
    current: unknown,
    patch: unknown,
    opts?: ValueOptions,
  ): Promise<CustomValues> {
    return (await this.fields(entity)).validatePatch(current, patch, opts);
  }

  /** A mongo filter on `customFields.<key>` for list queries; throws ValidationError for bad filters. */
  async filter(entity: Entity, filters: unknown): Promise<Record<string, unknown>> {
    return (await this.fields(entity)).filter(filters);
  }

  /** Stored values without archived (or never defined) keys, for responses. */
  async visible(entity: Entity, values: unknown): Promise<CustomValues> {
    return (await this.fields(entity)).visible(values);
  }

  /**
   * Like visible, but synchronous, for mappers that cannot wait: uses the definitions loaded last (and
   * refreshes them in the background when stale). Before the first load it returns the values as they are.
   */
  visibleNow(entity: Entity, values: unknown): CustomValues {
    const defs = this.store.peek();
    if (!defs) return values && typeof values === 'object' && !Array.isArray(values) ? { ...values } : {};
    return this.setFor(entity, defs).visible(values);
  }

  /** Creates or updates a definition (admins only). */
  async put(
    draft: DefinitionDraft,
    opts: { expectedVersion?: number; createOnly?: boolean },
    actor: Actor,
  ): Promise<FieldDefinition> {
    this.requireAdmin(actor);
    return this.store.put(draft, opts, actor.userId);
  }

  /** Archives a definition (admins only); stored values are kept and hidden. */
  async archive(
    entity: string,
    key: string,
    expectedVersion: number,
    actor: Actor,
  ): Promise<FieldDefinition> {
    this.requireAdmin(actor);
    return this.store.archive(entity, key, expectedVersion, actor.userId);
  }

  /** The CustomFieldService implementation, for `grpc.server.add(CustomFieldServiceDefinition, cf.grpc())`. */
  grpc(): pb.CustomFieldServiceImplementation<CallContext & { actor: Actor; requestId: string }> {
    return customFieldGrpc(this);
  }

  private requireAdmin(actor: Actor): void {
    if (!allows(actor.roles, 'settings.write'))
      throw new ForbiddenError('only an admin may change custom fields');
  }

  private setFor(entity: Entity, defs: FieldDefinition[]): CustomFieldSet {
    if (this.setsOf !== defs) {
      this.sets = new Map();
      this.setsOf = defs;
    }
    let set = this.sets.get(entity);
    if (!set) {
      set = new CustomFieldSet(entity, defs);
      this.sets.set(entity, set);
    }
    return set;
  }
}
