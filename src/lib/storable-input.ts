import { ValidationError } from '../errors.js';

/**
 * The checks every piece of client input passes before its schema: text PostgreSQL can
 * store, and nesting no schema of ours needs. The HTTP routes and the record file
 * reader share them, so a line of a JSONL file is refused exactly as the same patient
 * pushed over HTTP.
 */

/** Deeper than any route's schema (a record's prescription field is 7 levels down). */
export const MAX_INPUT_DEPTH = 32;

// Half of a surrogate pair: a JSON body may escape one (`"\ud800"`), and it has no UTF-8 form.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** What PostgreSQL text cannot hold: U+0000, and an unpaired surrogate. */
export const isStorable = (text: string): boolean => !text.includes('\u0000') && !UNPAIRED_SURROGATE.test(text);

interface InputProblem {
  kind: 'unstorable' | 'too_deep';
  /** Where, relative to the checked value; built only on the way back from a find. */
  path: (string | number)[];
}

/**
 * Throws a 400 naming where the input holds an unstorable character or nests deeper
 * than MAX_INPUT_DEPTH. Refused here it is a 400, not a failed write deep down (which,
 * in a batch, would fail other requests' rows too) nor a stack overflow.
 */
export function assertStorableInput(input: unknown): void {
  const problem = findProblem(input, 0);
  if (problem === null) return;
  const path = problem.path.join('.');
  if (problem.kind === 'too_deep') {
    throw new ValidationError(`The input nests deeper than ${MAX_INPUT_DEPTH} levels.`, {
      code: 'nesting_too_deep',
      details: [{ path, message: `nested deeper than ${MAX_INPUT_DEPTH} levels` }],
    });
  }
  throw new ValidationError('Text must not contain NUL characters (U+0000) or unpaired surrogates.', {
    details: [{ path, message: 'must not contain U+0000 or an unpaired surrogate' }],
  });
}

/**
 * The first problem in `value`, depth first. Recursive, but never deeper than
 * MAX_INPUT_DEPTH: every request passes through here, and almost none has a problem, so
 * nothing is allocated unless one is found.
 */
function findProblem(value: unknown, depth: number): InputProblem | null {
  if (typeof value === 'string') return isStorable(value) ? null : { kind: 'unstorable', path: [] };
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_INPUT_DEPTH) return { kind: 'too_deep', path: [] };
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findProblem(value[index], depth + 1);
      if (found) return prefixed(found, index);
    }
    return null;
  }
  for (const key in value) {
    if (!isStorable(key)) return { kind: 'unstorable', path: [key] };
    const found = findProblem((value as Record<string, unknown>)[key], depth + 1);
    if (found) return prefixed(found, key);
  }
  return null;
}

function prefixed(problem: InputProblem, step: string | number): InputProblem {
  problem.path.unshift(step);
  return problem;
}
