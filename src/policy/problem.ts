import { JumpgateError } from '../domain/errors.js';

/**
 * One thing wrong with the workflow files. `path` is dotted with indices
 * (`access.max_duration`, `targets[1].hosts[0]`); it is empty when the whole file or folder is
 * at fault (a YAML syntax error, an empty file, a missing folder).
 */
export interface Problem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** `['targets', 1, 'hosts', 0]` → `targets[1].hosts[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The line a person reads: `workflows/prod.yml: access.max_duration: "4 hours" is not a duration (…)`. */
export function formatProblem(problem: Problem): string {
  return problem.path === ''
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.path}: ${problem.message}`;
}

/**
 * Every problem in one error, so whoever edits the files fixes them all in one pass instead of
 * discovering them one start-up at a time.
 */
export function workflowInvalid(problems: readonly Problem[]): JumpgateError {
  return new JumpgateError('workflow_invalid', problems.map(formatProblem).join('\n'), {
    details: { problems: problems.map((problem) => ({ ...problem })) },
  });
}
