import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadWorkflows } from '../../../src/policy/load-workflows.js';
import { loadError, minimalWorkflow, withAccess, writeWorkflowDir, type Yaml } from './workflow-files.js';

function workflow(name: string, ...targets: string[]): Yaml {
  return {
    ...minimalWorkflow(),
    name,
    targets: targets.map((target) => ({ name: target, hosts: [`${target}.internal`], principals: ['ops'] })),
  };
}

describe('loadWorkflows', () => {
  it('loads every file of the folder in name order, remembering where each came from', async () => {
    const dir = await writeWorkflowDir({
      'staging.yaml': workflow('staging', 'staging'),
      'production.yml': workflow('production', 'prod-db', 'prod-web'),
    });
    const workflows = await loadWorkflows(dir);
    expect(workflows.map((loaded) => [loaded.name, loaded.file, loaded.targets.map((target) => target.name)])).toEqual([
      ['production', path.join(dir, 'production.yml'), ['prod-db', 'prod-web']],
      ['staging', path.join(dir, 'staging.yaml'), ['staging']],
    ]);
  });

  it('throws one workflow_invalid error with every problem of every file, one per line', async () => {
    const dir = await writeWorkflowDir({
      'a.yml': withAccess({ max_duration: '4 hours' }),
      'b.yml': 'name: [\n',
      'c.yml': { ...workflow('c', 'c'), owner: 'me' },
    });
    const error = await loadError(dir);
    const a = path.join(dir, 'a.yml');
    const b = path.join(dir, 'b.yml');
    const c = path.join(dir, 'c.yml');
    expect(error.code).toBe('workflow_invalid');
    expect(error.details).toEqual({
      problems: [
        { file: a, path: 'access.max_duration', message: '"4 hours" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)' },
        {
          file: b,
          path: '',
          message:
            'YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
        },
        { file: c, path: 'owner', message: 'unknown key (allowed: name, targets, access, breakglass, vendor, extend)' },
      ],
    });
    expect(error.message).toBe(
      [
        `${a}: access.max_duration: "4 hours" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)`,
        `${b}: YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
        `${c}: owner: unknown key (allowed: name, targets, access, breakglass, vendor, extend)`,
      ].join('\n'),
    );
  });

  it('refuses a target defined in two files, naming both', async () => {
    const dir = await writeWorkflowDir({
      'a.yml': workflow('a', 'prod-db'),
      'b.yml': workflow('b', 'staging', 'prod-db'),
    });
    expect((await loadError(dir)).message).toBe(
      `${path.join(dir, 'b.yml')}: targets[1].name: target "prod-db" is already defined in ${path.join(dir, 'a.yml')} ` +
        '(target names must be unique across all workflow files)',
    );
  });

  it('refuses a target defined twice in one file', async () => {
    const dir = await writeWorkflowDir({ 'a.yml': workflow('a', 'prod-db', 'prod-db') });
    expect((await loadError(dir)).message).toBe(
      `${path.join(dir, 'a.yml')}: targets[1].name: target "prod-db" is already defined at targets[0].name of this file ` +
        '(target names must be unique across all workflow files)',
    );
  });

  it('refuses two workflows with the same name', async () => {
    const dir = await writeWorkflowDir({ 'a.yml': workflow('production', 'a'), 'b.yml': workflow('production', 'b') });
    expect((await loadError(dir)).message).toBe(
      `${path.join(dir, 'b.yml')}: name: workflow "production" is already defined in ${path.join(dir, 'a.yml')} (workflow names must be unique)`,
    );
  });

  it('names files by the folder as given, so a relative folder gives relative paths', async () => {
    const workflows = await loadWorkflows('./workflows');
    expect(workflows.map((loaded) => loaded.file)).toEqual([
      'workflows/production.yml',
      'workflows/staging.yml',
      'workflows/vendor-support.yml',
    ]);
  });
});

describe('loadPolicy', () => {
  it('resolves every target by name to its workflow', async () => {
    const dir = await writeWorkflowDir({
      'a.yml': workflow('a', 'prod-db', 'prod-web'),
      'b.yml': workflow('b', 'staging'),
    });
    const policy = await loadPolicy(dir);
    expect(policy.workflows.map((loaded) => loaded.name)).toEqual(['a', 'b']);
    expect([...policy.targets].map(([name, entry]) => [name, entry.workflow.name, entry.target.name])).toEqual([
      ['prod-db', 'a', 'prod-db'],
      ['prod-web', 'a', 'prod-web'],
      ['staging', 'b', 'staging'],
    ]);
  });
});
