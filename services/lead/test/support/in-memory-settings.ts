import { type Actor, VersionMismatchError } from '@crm/kit';
import type { SettingsId, SettingsRepository } from '../../src/application/ports';
import type { SettingsDoc } from '../../src/store/lead.model';

/** Settings documents in a Map, written at their version. */
export class InMemorySettingsRepository implements SettingsRepository {
  readonly docs = new Map<SettingsId, SettingsDoc>();

  async get(id: SettingsId): Promise<SettingsDoc | undefined> {
    const d = this.docs.get(id);
    return d && structuredClone(d);
  }

  async getMany(ids: SettingsId[]): Promise<SettingsDoc[]> {
    return ids.flatMap((id) => {
      const d = this.docs.get(id);
      return d ? [structuredClone(d)] : [];
    });
  }

  async put(id: SettingsId, version: number, set: Partial<SettingsDoc>, actor: Actor): Promise<SettingsDoc> {
    const current = this.docs.get(id);
    if ((current?.version ?? 0) !== version) throw new VersionMismatchError(version, current!.version);
    const next = {
      cursors: {},
      ...current,
      ...structuredClone(set),
      _id: id,
      version: version + 1,
      updatedAt: new Date(),
      updatedBy: actor.userId,
    } as SettingsDoc;
    this.docs.set(id, next);
    return structuredClone(next);
  }

  async takeTurn(ruleId: string): Promise<number> {
    const s = this.docs.get('assignment');
    if (!s) return 0;
    const at = s.cursors?.[ruleId] ?? 0;
    s.cursors = { ...s.cursors, [ruleId]: at + 1 };
    return at;
  }
}
