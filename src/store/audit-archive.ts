import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { AuditRecord } from '../service/ports/audit.js';

/** One line of the archive (AUDIT_LOG_FILE): its record, or why it is not one. */
export type ArchiveLine =
  | { readonly line: number; readonly offset: number; readonly record: AuditRecord }
  | { readonly line: number; readonly offset: number; readonly problem: string };

/**
 * The lines of a JSON-lines archive from byte `offset` (a line start), in order. Streams: an
 * archive of years of records is never held in memory.
 */
export async function* archiveLines(file: string, offset = 0, firstLine = 1): AsyncGenerator<ArchiveLine> {
  const lines = createInterface({ input: createReadStream(file, { start: offset }), crlfDelay: Infinity });
  let at = offset;
  let line = firstLine;
  for await (const text of lines) {
    const start = at;
    at += Buffer.byteLength(text) + 1;
    if (text.trim() !== '') {
      try {
        yield { line, offset: start, record: JSON.parse(text) as AuditRecord };
      } catch {
        yield { line, offset: start, problem: `line ${line} of ${file} is not JSON` };
      }
    }
    line += 1;
  }
}

export async function archiveExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads the archive's records with seq in [from, to]. Retention asks for the records just after
 * its previous cut every run: the reader remembers where the last slice ended (byte offset and
 * seq), so a run reads only the new part of the file, not years of it. A file that changed under
 * it (the remembered line is not the expected seq) is read again from its start.
 */
export function createArchiveReader(file: string) {
  let mark: { offset: number; line: number; seq: number } | undefined;

  async function read(from: number, to: number, start: { offset: number; line: number }) {
    const records: AuditRecord[] = [];
    for await (const entry of archiveLines(file, start.offset, start.line)) {
      if (!('record' in entry)) throw new Error(entry.problem);
      const { record } = entry;
      if (record.seq < from) {
        mark = { offset: entry.offset, line: entry.line, seq: record.seq };
        continue;
      }
      if (record.seq > to) break;
      records.push(record);
      mark = { offset: entry.offset, line: entry.line, seq: record.seq };
    }
    return records;
  }

  return {
    /** Records with seq in [from, to] in file order; shorter when the file ends first. */
    async slice(from: number, to: number): Promise<AuditRecord[]> {
      const start = mark && mark.seq < from ? mark : { offset: 0, line: 1 };
      const records = await read(from, to, start);
      if (start.offset > 0 && records.length > 0 && records[0]?.seq !== from) {
        mark = undefined;
        return read(from, to, { offset: 0, line: 1 });
      }
      return records;
    },
  };
}
