import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { stringify } from 'yaml';
import { isJumpgateError, type JumpgateError } from '../../../src/domain/errors.js';
import type { Workflow } from '../../../src/domain/workflow.js';
import { loadWorkflows } from '../../../src/policy/load-workflows.js';

/** Builders for workflow files in temporary folders, shared by the policy tests. */

export type Yaml = Record<string, unknown>;

/** The smallest valid workflow; tests change one thing at a time. */
export function minimalWorkflow(): Yaml {
  return {
    name: 'production',
    targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }],
    access: { channel: 'C0APPROVALS', approvers: { users: ['U0LEAD'], groups: ['S0SRE'] }, max_duration: '4h' },
  };
}

/** `minimalWorkflow()` with `access` fields replaced or added. */
export function withAccess(access: Yaml): Yaml {
  const workflow = minimalWorkflow();
  return { ...workflow, access: { ...(workflow.access as Yaml), ...access } };
}

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A fresh temporary folder holding `files` (a string is written as is, anything else as YAML);
 * `sub` puts them one level down, e.g. `workflows/`. Removed after each test.
 */
export async function writeWorkflowDir(files: Readonly<Record<string, string | Yaml>>, sub = ''): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'jumpgate-policy-'));
  dirs.push(root);
  const dir = path.join(root, sub);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
  return dir;
}

/** The workflow_invalid error `loadWorkflows(dir)` throws; fails the test when it loads. */
export async function loadError(dir: string): Promise<JumpgateError> {
  const error: unknown = await loadWorkflows(dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isJumpgateError(error, 'workflow_invalid')) throw new Error(`expected workflow_invalid, got ${String(error)}`);
  return error;
}

/** The problem lines for a folder holding just `prod.yml`, with the folder path removed. */
export async function problemsOf(workflow: string | Yaml): Promise<string[]> {
  const dir = await writeWorkflowDir({ 'prod.yml': workflow });
  const error = await loadError(dir);
  const lines = error.message.split('\n');
  for (const line of lines) expect(line.startsWith(`${dir}${path.sep}`)).toBe(true);
  return lines.map((line) => line.slice(dir.length + 1));
}

/** Loads a folder holding just `prod.yml`; the test fails with the problems when it is invalid. */
export async function loadOne(workflow: Yaml): Promise<Workflow> {
  const [loaded, ...rest] = await loadWorkflows(await writeWorkflowDir({ 'prod.yml': workflow }));
  expect(rest).toEqual([]);
  return loaded!;
}
