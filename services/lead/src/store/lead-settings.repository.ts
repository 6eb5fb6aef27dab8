import {
  type Actor,
  isDuplicateKey,
  retryOnVersionMismatch,
  updateAtVersion,
  updateExclusively,
  VersionMismatchError,
} from '@crm/kit';
import type { SettingsId, SettingsRepository } from '../application/ports';
import type { LeadModels, SettingsDoc } from './lead.model';

/** The settings of leads as versioned singleton documents (lead_settings). */
export class MongoSettingsRepository implements SettingsRepository {
  constructor(private readonly m: LeadModels) {}

  async get(id: SettingsId): Promise<SettingsDoc | undefined> {
    return (await this.m.Settings.findById(id).lean<SettingsDoc>()) ?? undefined;
  }

  async getMany(ids: SettingsId[]): Promise<SettingsDoc[]> {
    // A scan on FerretDB, of a collection of two documents.
    return this.m.Settings.find({ _id: { $in: ids } }).lean<SettingsDoc[]>();
  }

  async put(id: SettingsId, version: number, set: Partial<SettingsDoc>, actor: Actor): Promise<SettingsDoc> {
    const next = { ...set, version: version + 1, updatedAt: new Date(), updatedBy: actor.userId };
    // The first write is an insert by _id (atomic everywhere); later ones a compare-and-set.
    const saved = version
      ? await updateAtVersion(this.m.Settings, id, version, { $set: next })
      : await this.m.Settings.create({ _id: id, cursors: {}, ...next }).then(
          () => true,
          (err: unknown) => {
            if (isDuplicateKey(err)) return false;
            throw err;
          },
        );
    if (!saved) throw new VersionMismatchError(version, version + 1);
    return (await this.get(id))!;
  }

  /**
   * A compare-and-set of the rule's position, in turn with the settings' other writers: on FerretDB an
   * unguarded increment could write back rules an administrator just replaced.
   */
  async takeTurn(ruleId: string, seen?: SettingsDoc): Promise<number> {
    const path = `cursors.${ruleId}`;
    let known = seen; // a stale copy only costs a failed compare-and-set and a fresh read
    const turn = retryOnVersionMismatch(async () => {
      const settings = known ?? (await this.get('assignment'));
      known = undefined;
      if (!settings) return 0;
      const at = settings.cursors?.[ruleId] ?? 0;
      const moved = await updateExclusively(
        this.m.Settings,
        'assignment',
        { $set: { [path]: at + 1 } },
        at ? { [path]: at } : { $or: [{ [path]: { $exists: false } }, { [path]: 0 }] },
      );
      if (!moved) throw new VersionMismatchError(at, at + 1);
      return at;
    }, 10);
    // Under a burst of creates the lead still gets routed, from the position as it is.
    return turn.catch(async (err: unknown) => {
      if (!(err instanceof VersionMismatchError)) throw err;
      return (await this.get('assignment'))?.cursors?.[ruleId] ?? 0;
    });
  }
}
