import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type ErrorCode, LineCounter, parseDocument } from 'yaml';
import { describeValue } from './fields.js';
import { type Problem, workflowInvalid } from './problem.js';

/** Finding the workflow files of a folder and reading each as one YAML mapping. */

const WORKFLOW_FILE = /\.ya?ml$/i;

/** yaml's own wording for these names its API or hides which key is meant. */
const FRIENDLIER: Partial<Record<ErrorCode, string>> = {
  DUPLICATE_KEY: 'this key is already set earlier in the same mapping (each key may appear once)',
  MULTIPLE_DOCS: 'a workflow file holds one YAML document (remove this ---, or split the file in two)',
};

/** The Node error code of a failed file operation (ENOENT, EACCES, …). */
export function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
}

/**
 * The `*.yml` / `*.yaml` files of `dir`, sorted, each as `dir` joined with its name (so
 * `./workflows` gives `workflows/prod.yml`). Throws `workflow_invalid` when the folder is
 * missing or holds no workflow file: starting with no policy at all is never what was meant.
 */
export async function listWorkflowFiles(dir: string): Promise<string[]> {
  const shown = path.normalize(dir);
  const fail = (message: string) => workflowInvalid([{ file: shown, path: '', message }]);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT')
      throw fail('no such folder (workflow files are read from WORKFLOWS_DIR, default ./workflows)');
    if (code === 'ENOTDIR')
      throw fail('is not a folder (WORKFLOWS_DIR must name the folder that holds the workflow files)');
    throw fail(`the folder cannot be read (${code})`);
  }
  const names = entries
    .filter((entry) => WORKFLOW_FILE.test(entry.name) && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) throw fail('no workflow files (*.yml or *.yaml) in this folder');
  return names.map((name) => path.join(dir, name));
}

export type ReadResult =
  /** `data` is a mapping; its contents are still unchecked. */
  { readonly ok: true; readonly data: object } | { readonly ok: false; readonly problems: readonly Problem[] };

/** Parses one file's text; `file` is only used in the problems. */
export function parseWorkflowYaml(file: string, text: string): ReadResult {
  const fail = (...messages: string[]): ReadResult => ({
    ok: false,
    problems: messages.map((message) => ({ file, path: '', message })),
  });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return fail(
      ...doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const why = FRIENDLIER[error.code] ?? error.message.split('\n')[0] ?? '';
        return `YAML syntax error at line ${line}, column ${col}: ${why}`;
      }),
    );
  }
  let data: unknown;
  try {
    // The alias cap stops a "billion laughs" file from exhausting memory.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(`YAML cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (data === null || data === undefined)
    return fail('the file is empty (a workflow needs at least name, targets and access)');
  if (typeof data !== 'object' || Array.isArray(data)) {
    return fail(
      `expected a mapping at the top of the file (name: …, targets: …, access: …), got ${describeValue(data)}`,
    );
  }
  return { ok: true, data };
}
