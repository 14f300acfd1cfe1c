import { describe, expect, it } from 'vitest';
import { formatPath, formatProblem, workflowInvalid } from '../../../src/policy/problem.js';

describe('formatPath', () => {
  it('dots keys and brackets indices', () => {
    expect(formatPath(['targets', 1, 'hosts', 0])).toBe('targets[1].hosts[0]');
    expect(formatPath(['access', 'max_duration'])).toBe('access.max_duration');
    expect(formatPath([])).toBe('');
  });
});

describe('formatProblem', () => {
  it('prints file, path and message, and leaves the path out for whole-file problems', () => {
    expect(formatProblem({ file: 'workflows/prod.yml', path: 'access.channel', message: 'required' })).toBe(
      'workflows/prod.yml: access.channel: required',
    );
    expect(formatProblem({ file: 'workflows/prod.yml', path: '', message: 'the file is empty' })).toBe(
      'workflows/prod.yml: the file is empty',
    );
  });
});

describe('workflowInvalid', () => {
  it('puts one problem per line in the message and all of them in details', () => {
    const problems = [
      { file: 'a.yml', path: 'name', message: 'required: a workflow name' },
      { file: 'b.yml', path: '', message: 'the file is empty' },
    ];
    const error = workflowInvalid(problems);
    expect(error.code).toBe('workflow_invalid');
    expect(error.message).toBe('a.yml: name: required: a workflow name\nb.yml: the file is empty');
    expect(error.details).toEqual({ problems });
  });
});
