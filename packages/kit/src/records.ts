/** Small pure helpers for records and their changes. */

/** The fields that are set: a partial update carries only what the caller gave. */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Which top-level fields differ (compared as JSON), in snake_case for `changed_fields` of events. */
export function changedFields<T extends object>(before: T, after: T, keys: (keyof T)[]): string[] {
  const snake = (f: string) => f.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
  return keys
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .map((k) => snake(String(k)));
}
