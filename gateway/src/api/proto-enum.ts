/**
 * The REST spelling of a generated proto enum, so the list of values has one source (proto/, which the
 * services map their domain values to): `ACCOUNT_LIFECYCLE_FORMER_CUSTOMER` -> `former-customer`.
 * Single-letter grades keep their capital (`ACCOUNT_TIER_A` -> `A`). UNSPECIFIED and ts-proto's
 * UNRECOGNIZED are not values.
 */
export interface ProtoEnum<N extends string> {
  /** The REST names, in proto order (for z.enum). */
  values: [N, ...N[]];
  toProto(name: N): number;
  /** The REST name of a proto value; `fallback` for UNSPECIFIED or an unknown number. */
  fromProto(value: number, fallback: N): N;
}

export function protoEnum<N extends string>(
  e: Record<string, string | number>,
  prefix: string,
): ProtoEnum<N> {
  const byName = new Map<N, number>();
  for (const [key, value] of Object.entries(e)) {
    if (typeof value !== 'number' || !key.startsWith(prefix) || value <= 0) continue;
    const rest = key.slice(prefix.length);
    const name = (rest.length === 1 ? rest : rest.toLowerCase().replace(/_/g, '-')) as N;
    byName.set(name, value);
  }
  const byValue = new Map([...byName].map(([n, v]) => [v, n]));
  const values = [...byName.keys()];
  if (!values.length) throw new Error(`no values with prefix ${prefix}`);
  return {
    values: values as [N, ...N[]],
    toProto: (name) => byName.get(name) ?? 0,
    fromProto: (value, fallback) => byValue.get(value) ?? fallback,
  };
}
