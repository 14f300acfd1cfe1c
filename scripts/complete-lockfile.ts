// Keeps package-lock.json complete for every platform: msgpackr-extract (through bullmq's
// msgpackr) has optional native builds per OS/CPU, and a lock regenerated against a registry
// that lacks some of them leaves those out, which makes `npm ci` refuse the lock anywhere.
// Run after `npm install` changes the lock: `npm run lock:complete`.
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, LockEntry> };
const parent = lock.packages['node_modules/msgpackr-extract'];
const PLATFORM = /msgpackr-extract-(darwin|linux|win32)-(arm64|x64|arm)$/;
let added = 0;
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const match = PLATFORM.exec(name);
  if (lock.packages[key] || !match) continue;
  lock.packages[key] = { version, cpu: [match[2]], license: 'MIT', optional: true, os: [match[1]] };
  added += 1;
}
const byPath = ([a]: [string, LockEntry], [b]: [string, LockEntry]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1);
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(byPath));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added === 0 ? 'package-lock.json is complete' : `package-lock.json: added ${added} platform entries`);
