import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURE_NAMES, parseFigures } from '../../bench/figures.js';

const REPO_DIR = path.resolve(import.meta.dirname, '..', '..', '..');

/** `npm run bench -- --quick` as a person runs it: its exit code, stdout and stderr. */
function runQuickBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', '--quick'], {
      cwd: REPO_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Correctness of the harness only: the figures' values depend on the machine and are not asserted.
describe('npm run bench -- --quick', () => {
  it('prints every figure as a parseable line, with no failed burst command and no failed audit append', async () => {
    const run = await runQuickBench();
    // The figures go to the test's log, to be read, not asserted.
    process.stdout.write(run.stdout);
    expect(run.code, run.stderr).toBe(0);
    const figures = parseFigures(run.stdout);
    for (const name of FIGURE_NAMES) {
      const figure = figures.get(name);
      expect(figure, `${name} is printed`).toBeDefined();
      // Only the KRL write time may be missing (the broker may not report it).
      if (name !== 'krl_write_ms') expect(typeof figure!.value, `${name} is a number`).toBe('number');
    }
    expect(figures.get('burst_failures')!.value).toBe(0);
    expect(figures.get('audit_append_failures')!.value).toBe(0);
    expect(figures.get('active_grants')!.value).toBeGreaterThanOrEqual(100);
  }, 600_000);
});
