import { Jexl } from 'jexl';

/**
 * Policy conditions: a small expression language over the snapshot's fields, evaluated by Jexl (an
 * interpreter over a parsed tree: no eval, no Function). Only a safe subset is accepted when a policy
 * is saved: field names, literals, comparisons, arithmetic, `and`/`or`/`!` and `in [..]`. No member
 * access, transforms or function calls, so a condition can read nothing but the snapshot's top-level
 * fields it names.
 */
const engine = new Jexl();
// Words read better to admins than && and ||; `and` binds tighter than `or`, both looser than comparisons.
engine.addBinaryOp('and', 9, (l: unknown, r: unknown) => Boolean(l) && Boolean(r));
engine.addBinaryOp('or', 8, (l: unknown, r: unknown) => Boolean(l) || Boolean(r));

interface Node {
  type: string;
  value?: unknown;
  from?: Node;
  left?: Node;
  right?: Node;
  test?: Node;
  consequent?: Node;
  alternate?: Node;
}

const ALLOWED = new Set(['Literal', 'Identifier', 'BinaryExpression', 'UnaryExpression', 'ArrayLiteral']);

/** A condition that parsed and uses only the safe subset; `fields` are the snapshot fields it reads. */
export interface ParsedCondition {
  fields: string[];
}

/** Parses a condition; the error says what is wrong, for a 400 naming the `condition` field. */
export function parseCondition(text: string): ParsedCondition | { error: string } {
  let ast: Node | undefined;
  try {
    ast = (engine.compile(text) as unknown as { _getAst(): Node | undefined })._getAst();
  } catch (err) {
    return { error: `does not parse: ${(err as Error).message}` };
  }
  if (!ast) return { error: 'is empty' };
  const fields = new Set<string>();
  const problem = walk(ast, fields);
  return problem ? { error: problem } : { fields: [...fields].sort() };
}

function walk(n: Node, fields: Set<string>): string | undefined {
  if (!ALLOWED.has(n.type)) return `uses ${n.type}, which conditions do not allow`;
  if (n.type === 'Identifier') {
    if (n.from) return 'reads a nested field; only top-level snapshot fields may be used';
    fields.add(String(n.value));
    return undefined;
  }
  if (n.type === 'ArrayLiteral') {
    for (const item of (n.value as Node[]) ?? []) {
      const p = walk(item, fields);
      if (p) return p;
    }
    return undefined;
  }
  for (const child of [n.left, n.right]) {
    if (!child) continue;
    const p = walk(child, fields);
    if (p) return p;
  }
  return undefined;
}

/**
 * Evaluates a condition (already validated when its policy was saved) on a snapshot. A field the
 * snapshot lacks reads as undefined, so a comparison with it is false rather than an error.
 */
export function conditionHolds(text: string, snapshot: Record<string, unknown>): boolean {
  if (!text.trim()) return true;
  // Own fields only, on an object without a prototype: `constructor` and friends read as undefined.
  const context: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(snapshot)) context[k] = v;
  return Boolean(engine.evalSync(text, context));
}
