import { runBench } from './bench.js';
import { FULL, QUICK } from './bench-mode.js';

/**
 * `npm run bench` (full) and `npm run bench -- --quick`: figures on stdout, one `name value
 * unit` line each, with `#` comment lines; progress and problems on stderr.
 */
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--quick');
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown.join(' ')} (use --quick for the small run)`);
  process.exit(2);
}
const mode = args.includes('--quick') ? QUICK : FULL;
try {
  await runBench(mode, (line) => console.log(line), (line) => console.error(line));
  process.exit(0);
} catch (error) {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
