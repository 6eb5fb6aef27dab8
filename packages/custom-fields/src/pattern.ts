import { MAX_PATTERN_LENGTH } from './types';

/**
 * Checks an administrator's text pattern before it is stored, so that validating a value can never hang
 * a service (ReDoS). Node has no linear-time regex engine built in, so instead of `re2` the pattern must
 * compile, stay short, and avoid the shapes that make a backtracking engine take exponential time:
 * back-references, and a repeated group that itself contains a variable quantifier or an alternation
 * ((a+)+, (a*)*, (a|aa)+, (\w+\.)*). Character classes and single quantifiers are fine: ^[A-Z]{2}-\d{4}$.
 * Values are also length-limited (maxLength), which bounds the polynomial cases.
 *
 * Returns what is wrong, or undefined when the pattern is acceptable.
 */
export function checkPattern(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message.slice(0, 120)})`;
  }
  return unsafeShape(pattern);
}

interface Frame {
  /** Contains (at any depth) a variable quantifier or an alternation. */
  complex: boolean;
}

const QUANT = /^\{(\d+)(,(\d*))?\}/;

function unsafeShape(p: string): string | undefined {
  const stack: Frame[] = [{ complex: false }];
  const top = () => stack[stack.length - 1]!;
  let last: 'none' | 'atom' | 'group' | 'quantifier' = 'none';
  let closed: Frame | undefined;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      if (/[1-9]/.test(n) || (n === 'k' && p[i + 2] === '<')) return 'may not use back-references';
      i++;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        if (p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') i = p.indexOf('>', i);
        else i += p[i + 2] === '<' ? 3 : 2;
      }
      stack.push({ complex: false });
      last = 'none';
      continue;
    }
    if (c === ')') {
      const frame = stack.pop()!;
      if (frame.complex) top().complex = true;
      closed = frame;
      last = 'group';
      continue;
    }
    if (c === '|') {
      top().complex = true;
      last = 'none';
      continue;
    }
    let variable = false;
    let repeating = false;
    let length = 1;
    if (c === '*' || c === '+') {
      variable = repeating = true;
    } else if (c === '?') {
      if (last === 'quantifier') continue; // lazy modifier, as in a+?
      variable = true;
    } else if (c === '{' && QUANT.test(p.slice(i))) {
      const m = QUANT.exec(p.slice(i))!;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
      variable = max !== min;
      repeating = max > 1;
      length = m[0].length;
    } else {
      last = 'atom';
      continue;
    }
    if (last === 'group' && repeating && closed?.complex) {
      return (
        'may not repeat a group that contains a quantifier or an alternation, such as (a+)+ or (a|b)*: ' +
        'such patterns can take exponential time; use a character class or a simpler pattern'
      );
    }
    if (variable) top().complex = true;
    i += length - 1;
    last = 'quantifier';
  }
  return undefined;
}
