import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listWorkflowFiles } from '../../../src/policy/read-workflow-files.js';
import { loadError, minimalWorkflow, problemsOf, writeWorkflowDir } from './workflow-files.js';

describe('reading workflow YAML', () => {
  it('reports a YAML syntax error with its line and column', async () => {
    expect(await problemsOf('name: production\ntargets: [prod-db\naccess: {}\n')).toEqual([
      'prod.yml: YAML syntax error at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('refuses a key given twice, since the second would silently replace the first', async () => {
    expect(await problemsOf('name: production\nname: staging\n')).toEqual([
      'prod.yml: YAML syntax error at line 2, column 1: this key is already set earlier in the same mapping (each key may appear once)',
    ]);
  });

  it('refuses a second YAML document in the same file', async () => {
    expect(await problemsOf('name: production\n---\nname: staging\n')).toEqual([
      'prod.yml: YAML syntax error at line 2, column 1: a workflow file holds one YAML document (remove this ---, or split the file in two)',
    ]);
  });

  it('reports an empty file, or one with only comments', async () => {
    const empty = 'prod.yml: the file is empty (a workflow needs at least name, targets and access)';
    expect(await problemsOf('')).toEqual([empty]);
    expect(await problemsOf('# to do\n')).toEqual([empty]);
  });

  it('reports a file that is not a mapping, and what it is instead', async () => {
    expect(await problemsOf('- name: production\n')).toEqual([
      'prod.yml: expected a mapping at the top of the file (name: …, targets: …, access: …), got a list',
    ]);
    expect(await problemsOf('production\n')).toEqual([
      'prod.yml: expected a mapping at the top of the file (name: …, targets: …, access: …), got "production"',
    ]);
  });
});

describe('finding workflow files', () => {
  it('lists .yml and .yaml files sorted, joined to the folder as given, and nothing else', async () => {
    const dir = await writeWorkflowDir({ 'b.yaml': '', 'a.yml': '', 'README.md': '', 'c.yml.bak': '' });
    expect(await listWorkflowFiles(dir)).toEqual([path.join(dir, 'a.yml'), path.join(dir, 'b.yaml')]);
  });

  it('says which folder holds no workflow files', async () => {
    const dir = await writeWorkflowDir({ 'README.md': '# workflows' });
    const error = await loadError(dir);
    expect(error.message).toBe(`${dir}: no workflow files (*.yml or *.yaml) in this folder`);
    expect(error.details).toEqual({
      problems: [{ file: dir, path: '', message: 'no workflow files (*.yml or *.yaml) in this folder' }],
    });
  });

  it('says when the folder does not exist, and where the folder comes from', async () => {
    const dir = path.join(await writeWorkflowDir({}), 'missing');
    expect((await loadError(dir)).message).toBe(
      `${dir}: no such folder (workflow files are read from WORKFLOWS_DIR, default ./workflows)`,
    );
  });

  it('says when the path is a file rather than a folder', async () => {
    const dir = await writeWorkflowDir({ 'prod.yml': minimalWorkflow() });
    const file = path.join(dir, 'prod.yml');
    await writeFile(file, 'name: x\n');
    expect((await loadError(file)).message).toBe(
      `${file}: is not a folder (WORKFLOWS_DIR must name the folder that holds the workflow files)`,
    );
  });
});
