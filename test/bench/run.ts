import path from 'node:path';
import { runBench } from './bench.js';
import { FULL, QUICK } from './bench-mode.js';

/**
 * `npm run bench` (full) and `npm run bench -- --quick`: figures on stdout, one `name value
 * unit` line each, with `#` comment lines; progress and problems on stderr.
 * `--cpu-prof=<dir>` also keeps a V8 CPU profile of the bot (node --cpu-prof) in <dir>;
 * `--no-mass` stops after the grant-latency phase (a shorter loop while working on latency).
 */
const args = process.argv.slice(2);
const cpuProfDir = args.find((arg) => arg.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
const known = (arg: string) => arg === '--quick' || arg === '--no-mass' || arg.startsWith('--cpu-prof=');
const unknown = args.filter((arg) => !known(arg));
if (unknown.length > 0 || cpuProfDir === '') {
  console.error(
    `bench: unknown argument ${unknown.join(' ') || '--cpu-prof='} (use --quick for the small run, --no-mass to stop after the grant latency, --cpu-prof=<dir> to profile the bot)`,
  );
  process.exit(2);
}
const mode = args.includes('--quick') ? QUICK : FULL;
try {
  await runBench(
    mode,
    (line) => console.log(line),
    (line) => console.error(line),
    {
      ...(cpuProfDir === undefined ? {} : { cpuProfDir: path.resolve(cpuProfDir) }),
      noMass: args.includes('--no-mass'),
    },
  );
  process.exit(0);
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
