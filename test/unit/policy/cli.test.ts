import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../support/fake-slack.js';
import { minimalWorkflow, withAccess, writeWorkflowDir } from './workflow-files.js';

const REPO = path.resolve(import.meta.dirname, '../../..');
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
const CLI = path.join(REPO, 'src/workflows-cli.ts');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npm run workflows -- …` would, in `cwd`, with WORKFLOWS_DIR only when given. */
function run(
  args: readonly string[],
  cwd: string,
  workflowsDir?: string,
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  const env = { ...process.env, ...extraEnv };
  delete env.WORKFLOWS_DIR;
  if (workflowsDir !== undefined) env.WORKFLOWS_DIR = workflowsDir;
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error.code as number | null), stdout, stderr });
    });
  });
}

/** A temp folder with the files under `workflows/`; returns the folder to run in. */
async function project(files: Parameters<typeof writeWorkflowDir>[0]): Promise<string> {
  return path.dirname(await writeWorkflowDir(files, 'workflows'));
}

const USAGE = [
  'usage: npm run workflows -- check [dir] [--slack]',
  '',
  '  check [dir]   validate the workflow files in dir and list the targets they define',
  '                (dir defaults to $WORKFLOWS_DIR, then ./workflows)',
  '  --slack       also ask Slack (SLACK_BOT_TOKEN) whether every person the workflows name',
  '                by user ID is still active',
  '',
].join('\n');

describe('workflows CLI: check --slack', () => {
  it('names each deactivated person the workflows name, with file and path, and exits 1', async () => {
    const slack = await startFakeSlack({
      users: [{ id: 'U0LEAD', deleted: true }, { id: 'U0BOB' }],
      token: 'xoxb-0000-1111-clitest',
    });
    try {
      const cwd = await project({ 'prod.yml': withAccess({ approvers: { users: ['U0LEAD', 'U0BOB'] } }) });
      const env = { SLACK_BOT_TOKEN: 'xoxb-0000-1111-clitest', SLACK_API_URL: slack.url };
      const result = await run(['check', 'workflows', '--slack'], cwd, undefined, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'workflows/prod.yml: access.approvers.users: U0LEAD is deactivated in Slack (remove them, or name who replaces them)',
      );
      expect(result.stderr).not.toContain('U0BOB');
      const fine = await project({ 'prod.yml': withAccess({ approvers: { users: ['U0BOB'] } }) });
      const ok = await run(['check', 'workflows', '--slack'], fine, undefined, env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('Slack: everyone the workflows name is active');
    } finally {
      await slack.close();
    }
  });

  it('is a usage error without SLACK_BOT_TOKEN', async () => {
    const cwd = await project({ 'prod.yml': minimalWorkflow() });
    const result = await run(['check', 'workflows', '--slack'], cwd, undefined, { SLACK_BOT_TOKEN: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--slack needs SLACK_BOT_TOKEN');
  });
});

describe('workflows CLI', () => {
  it('check prints the target table and exits 0 when every workflow is valid', async () => {
    const cwd = await project({ 'prod.yml': minimalWorkflow() });
    const result = await run(['check', 'workflows'], cwd);
    expect(result).toEqual({
      code: 0,
      stdout: [
        'target   workflow    hosts          principals  approvers      approvals  max  extend  breakglass  vendor  auto-approve',
        'prod-db  production  db-1.internal  dbadmin     U0LEAD, S0SRE  1          4h   no      no          no      no',
        '',
        '1 workflow, 1 target: OK',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('check prints every problem to stderr, relative to the folder given, and exits 1', async () => {
    const cwd = await project({ 'prod.yml': withAccess({ max_duration: '4 hours', aproval_required: 2 }) });
    const result = await run(['check', 'workflows'], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'workflows/prod.yml: access.max_duration: "4 hours" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)',
        'workflows/prod.yml: access.aproval_required: unknown key (allowed: channel, approvers, approvals_required, ' +
          'allow_self_approval, requesters, default_duration, max_duration, min_duration, require_reason, ticket_pattern, ' +
          'request_timeout, grant_retry_window, escalate_after, escalation_approvers, auto_approve)',
        '',
        '2 problems: the workflows were not loaded',
        '',
      ].join('\n'),
    );
  });

  it('check reads ./workflows by default and WORKFLOWS_DIR when it is set', async () => {
    const cwd = await project({ 'broken.yml': '' });
    const byDefault = await run(['check'], cwd);
    expect([byDefault.code, byDefault.stderr.split('\n')[0]]).toEqual([
      1,
      'workflows/broken.yml: the file is empty (a workflow needs at least name, targets and access)',
    ]);
    const other = await writeWorkflowDir({ 'prod.yml': minimalWorkflow() });
    const fromEnv = await run(['check'], cwd, other);
    expect([fromEnv.code, fromEnv.stdout.trimEnd().split('\n').at(-1)]).toEqual([0, '1 workflow, 1 target: OK']);
  });

  it('says which folder is missing and exits 1', async () => {
    const cwd = await project({});
    const result = await run(['check', 'nowhere'], cwd);
    expect([result.code, result.stderr.split('\n')[0]]).toEqual([
      1,
      'nowhere: no such folder (workflow files are read from WORKFLOWS_DIR, default ./workflows)',
    ]);
  });

  it('prints the usage to stderr and exits 2 for an unknown or missing command', async () => {
    const cwd = await project({});
    expect(await run(['lint'], cwd)).toEqual({ code: 2, stdout: '', stderr: `unknown command: lint\n\n${USAGE}` });
    expect(await run([], cwd)).toEqual({ code: 2, stdout: '', stderr: USAGE });
    expect(await run(['check', 'a', 'b'], cwd)).toEqual({
      code: 2,
      stdout: '',
      stderr: `unknown command: check a b\n\n${USAGE}`,
    });
  });
});
