import { appendFile, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AuditReader, AuditRecord } from '../service/ports/audit.js';

/**
 * The append-only JSON-lines copy of the audit trail (AUDIT_LOG_FILE). Redis is the source: the
 * file catches up from it, in seq order, after every write and at start-up, so a crash between a
 * commit and its copy only delays the line, never loses it.
 */
export interface AuditFileSink {
  /**
   * Appends every record newer than the file's last line. Calls are serialized. `sealed`, when
   * given, are records just sealed: when they follow the file's last line they are written
   * without reading Redis again.
   */
  sync(sealed?: readonly AuditRecord[]): Promise<void>;
}

export function createAuditFileSink(deps: {
  file: string;
  reader: AuditReader;
  onError: (error: unknown) => void;
}): AuditFileSink {
  let lastSeq: number | undefined;
  let chain: Promise<void> = Promise.resolve();

  async function catchUp(sealed: readonly AuditRecord[] | undefined) {
    lastSeq ??= await lastSeqInFile(deps.file);
    const from = lastSeq + 1;
    const first = sealed?.[0];
    const records =
      sealed && first && first.seq <= from && first.seq + sealed.length > from
        ? sealed.slice(from - first.seq)
        : await deps.reader.range(from);
    if (records.length === 0) return;
    // Records before the first one left Redis with retention: this file never held them.
    if ((records[0]?.seq ?? from) > from)
      deps.onError(
        new Error(`records ${from}..${(records[0]?.seq ?? from) - 1} left Redis before this file held them`),
      );
    await mkdir(path.dirname(deps.file), { recursive: true });
    await appendFile(deps.file, records.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o640 });
    lastSeq = records[records.length - 1]?.seq ?? lastSeq;
  }

  return {
    sync(sealed) {
      chain = chain
        .then(() => catchUp(sealed))
        .catch((error: unknown) => {
          lastSeq = undefined; // re-read the file next time rather than trust a count that may be off
          deps.onError(error);
        });
      return chain;
    },
  };
}

/** The seq of the file's last complete line, 0 for a missing or empty file. */
export async function lastSeqInFile(file: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  const handle = await open(file, 'r');
  try {
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '');
    const last = lines[lines.length - 1];
    return last ? (JSON.parse(last) as AuditRecord).seq : 0;
  } finally {
    await handle.close();
  }
}
