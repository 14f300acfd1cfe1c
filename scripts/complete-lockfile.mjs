#!/usr/bin/env node
// Keeps package-lock.json complete for every platform: msgpackr-extract (through bullmq's
// msgpackr) has optional native builds per OS/CPU, and a lock regenerated against a registry
// that lacks some of them leaves those out, which makes `npm ci` refuse the lock anywhere.
// Run after `npm install` changes the lock: `npm run lock:complete`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const parent = packages['node_modules/msgpackr-extract'];
if (!parent) process.exit(0);
const PLATFORM = /msgpackr-extract-(darwin|linux|win32)-(arm64|x64|arm)$/;
let added = 0;
for (const name of Object.keys(parent.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const match = PLATFORM.exec(name);
  if (packages[key] || !match) continue;
  packages[key] = { version: parent.optionalDependencies[name], cpu: [match[2]], license: 'MIT', optional: true, os: [match[1]] };
  added += 1;
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added === 0 ? 'package-lock.json is complete' : `package-lock.json: added ${added} platform entries`);
