import { isJumpgateError } from './domain/errors.js';
import { describePolicy } from './policy/describe-policy.js';
import { loadPolicy } from './policy/load-workflows.js';
import { departedPeople } from './service/support/departed-people.js';
import { createSlackClient } from './slack/slack-client.js';
import { createSlackDirectory } from './slack/slack-directory.js';

/**
 * `npm run workflows -- check [dir] [--slack]`: validates the workflow files the bot would load
 * and shows what they grant; with `--slack`, also asks Slack (SLACK_BOT_TOKEN, SLACK_API_URL)
 * whether everyone they name by user ID is still active. Exit codes: 0 valid, 1 invalid or naming
 * a deactivated person (problems on stderr), 2 usage error.
 */

const USAGE = `usage: npm run workflows -- check [dir] [--slack]

  check [dir]   validate the workflow files in dir and list the targets they define
                (dir defaults to $WORKFLOWS_DIR, then ./workflows)
  --slack       also ask Slack (SLACK_BOT_TOKEN) whether every person the workflows name
                by user ID is still active`;

async function check(dir: string, slack: boolean): Promise<number> {
  try {
    const policy = await loadPolicy(dir);
    process.stdout.write(describePolicy(policy));
    if (!slack) return 0;
    const token = process.env.SLACK_BOT_TOKEN;
    if (!token) {
      console.error('--slack needs SLACK_BOT_TOKEN (the bot token, xoxb-…) to ask Slack who is active');
      return 2;
    }
    const client = createSlackClient(token, process.env.SLACK_API_URL ?? 'https://slack.com/api/');
    const { lines, unknown } = await departedPeople(createSlackDirectory({ client, now: Date.now }), policy.workflows);
    if (unknown.length > 0) {
      console.error(`Slack could not say whether these people are active: ${unknown.join(', ')}`);
      if (lines.length === 0) return 1;
    }
    if (lines.length === 0) {
      console.log('\nSlack: everyone the workflows name is active');
      return 0;
    }
    console.error(lines.join('\n'));
    console.error(`\n${lines.length} ${lines.length === 1 ? 'person' : 'people'} named in the workflows left Slack`);
    return 1;
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
  const slack = args.includes('--slack');
  const [command, dir, ...rest] = args.filter((arg) => arg !== '--slack');
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'check' || rest.length > 0) {
    console.error(command === undefined ? USAGE : `unknown command: ${args.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  return check(dir ?? process.env.WORKFLOWS_DIR ?? './workflows', slack);
}

process.exitCode = await main(process.argv.slice(2));
