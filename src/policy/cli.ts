import { isJumpgateError } from '../domain/errors.js';
import { describePolicy } from './describe-policy.js';
import { loadPolicy } from './load-workflows.js';

/**
 * `npm run workflows -- check [dir]`: validates the workflow files the bot would load and shows
 * what they grant. Exit codes: 0 valid, 1 invalid (problems on stderr), 2 usage error.
 */

const USAGE = `usage: npm run workflows -- check [dir]

  check [dir]   validate the workflow files in dir and list the targets they define
                (dir defaults to $WORKFLOWS_DIR, then ./workflows)`;

async function check(dir: string): Promise<number> {
  try {
    process.stdout.write(describePolicy(await loadPolicy(dir)));
    return 0;
  } catch (error) {
    if (!isJumpgateError(error, 'workflow_invalid')) throw error;
    const problems = error.details.problems;
    const count = Array.isArray(problems) ? problems.length : 1;
    console.error(error.message);
    console.error(`\n${count} ${count === 1 ? 'problem' : 'problems'}: the workflows were not loaded`);
    return 1;
  }
}

async function main(args: readonly string[]): Promise<number> {
  const [command, dir, ...rest] = args;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'check' || rest.length > 0) {
    console.error(command === undefined ? USAGE : `unknown command: ${args.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  return check(dir ?? process.env.WORKFLOWS_DIR ?? './workflows');
}

process.exitCode = await main(process.argv.slice(2));
