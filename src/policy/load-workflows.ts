import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { buildPolicy, type Policy, type Workflow } from '../domain/workflow.js';
import { formatPath, type Problem, workflowInvalid } from './problem.js';
import { errorCode, listWorkflowFiles, parseWorkflowYaml } from './read-workflow-files.js';
import { toWorkflow } from './to-workflow.js';
import { workflowFileSchema } from './workflow-schema.js';

/**
 * Reads every workflow file of a folder into domain workflows. Any problem anywhere stops the
 * load with one `workflow_invalid` error listing all of them (`details.problems`), one per line:
 * `workflows/prod.yml: access.max_duration: "4 hours" is not a duration (…)`.
 */

function toProblems(file: string, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue) =>
    // One line per unknown key, at the key itself, so each typo is named where it is.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ file, path: formatPath([...issue.path, key]), message: issue.message }))
      : [{ file, path: formatPath(issue.path), message: issue.message }],
  );
}

/** Names people type or read in Slack must each lead to one place. */
function duplicateNames(workflows: readonly Workflow[]): Problem[] {
  const problems: Problem[] = [];
  const workflowFiles = new Map<string, string>();
  const targetPlaces = new Map<string, { readonly file: string; readonly path: string }>();
  for (const workflow of workflows) {
    const first = workflowFiles.get(workflow.name);
    if (first === undefined) workflowFiles.set(workflow.name, workflow.file);
    else {
      problems.push({
        file: workflow.file,
        path: 'name',
        message: `workflow "${workflow.name}" is already defined in ${first} (workflow names must be unique)`,
      });
    }
    workflow.targets.forEach((target, index) => {
      const path = formatPath(['targets', index, 'name']);
      const seen = targetPlaces.get(target.name);
      if (seen === undefined) {
        targetPlaces.set(target.name, { file: workflow.file, path });
        return;
      }
      const where = seen.file === workflow.file ? `at ${seen.path} of this file` : `in ${seen.file}`;
      problems.push({
        file: workflow.file,
        path,
        message: `target "${target.name}" is already defined ${where} (target names must be unique across all workflow files)`,
      });
    });
  }
  return problems;
}

export async function loadWorkflows(dir: string): Promise<Workflow[]> {
  return (await readWorkflows(dir)).workflows;
}

/**
 * The workflows of `dir` and a hash of what was read (each file's name and contents, in order),
 * so replicas that loaded the same files name the same policy.
 */
async function readWorkflows(dir: string): Promise<{ workflows: Workflow[]; hash: string }> {
  const files = await listWorkflowFiles(dir);
  const problems: Problem[] = [];
  const workflows: Workflow[] = [];
  const hash = createHash('sha256');
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: unknown) => error);
    if (typeof text !== 'string') {
      problems.push({ file, path: '', message: `the file cannot be read (${errorCode(text)})` });
      continue;
    }
    hash.update(`${path.basename(file)}\0${text}\0`);
    const read = parseWorkflowYaml(file, text);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    const parsed = workflowFileSchema.safeParse(read.data);
    if (parsed.success) workflows.push(toWorkflow(file, parsed.data));
    else problems.push(...toProblems(file, parsed.error.issues));
  }
  problems.push(...duplicateNames(workflows));
  if (problems.length > 0) throw workflowInvalid(problems);
  return { workflows, hash: hash.digest('hex') };
}

/** The workflows of `dir` with every target resolvable by name. Throws like `loadWorkflows`. */
export async function loadPolicy(dir: string): Promise<Policy> {
  return buildPolicy(await loadWorkflows(dir));
}

/** A loaded policy and the hash of the files it came from (see `readWorkflows`). */
export interface LoadedPolicy {
  readonly policy: Policy;
  readonly hash: string;
}

/** Like `loadPolicy`, with the hash of the files. Throws like `loadWorkflows`. */
export async function loadPolicyFiles(dir: string): Promise<LoadedPolicy> {
  const { workflows, hash } = await readWorkflows(dir);
  return { policy: buildPolicy(workflows), hash };
}
