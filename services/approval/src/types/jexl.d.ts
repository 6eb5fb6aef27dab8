// Jexl 2.3 ships no types; only what the condition module uses.
declare module 'jexl' {
  export class Jexl {
    addBinaryOp(operator: string, precedence: number, fn: (left: unknown, right: unknown) => unknown): void;
    compile(expression: string): unknown;
    evalSync(expression: string, context?: Record<string, unknown>): unknown;
  }
}
