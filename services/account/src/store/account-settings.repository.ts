import {
  type Actor,
  isDuplicateKey,
  updateAtVersion,
  updateExclusively,
  VersionMismatchError,
} from '@crm/kit';
import type { SettingsRepository } from '../application/ports';
import { type AccountModels, type SettingsDoc } from './account.model';

const ID = 'tier';

/** The tier rules: one versioned settings document. */
export class MongoSettingsRepository implements SettingsRepository {
  constructor(private readonly m: AccountModels) {}

  async get(): Promise<SettingsDoc | undefined> {
    return (await this.m.Settings.findById(ID).lean<SettingsDoc>()) ?? undefined;
  }

  async put(
    version: number,
    set: Pick<SettingsDoc, 'rules' | 'defaultTier'>,
    actor: Actor,
  ): Promise<SettingsDoc> {
    const next = { ...set, version: version + 1, updatedAt: new Date(), updatedBy: actor.userId };
    const written =
      version > 0
        ? await updateAtVersion(this.m.Settings, ID, version, { $set: next })
        : await this.m.Settings.create({ _id: ID, ...next }).then(
            () => true,
            (err: unknown) => {
              if (isDuplicateKey(err)) return false;
              throw err;
            },
          );
    if (!written) throw new VersionMismatchError(version, (await this.get())?.version ?? version + 1);
    return (await this.get())!;
  }

  markRetiered(version: number): Promise<boolean> {
    return updateExclusively(this.m.Settings, ID, { $set: { retieredVersion: version } }, { version });
  }
}
