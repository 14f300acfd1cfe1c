import { type FileHandle, open, stat } from 'node:fs/promises';

/**
 * `tail -F` for the sshd log: reads what was appended since the last read, line by line, and
 * keeps going across rotation (the file is renamed and a new one created), copy-truncation (the
 * file shrinks) and a file that does not exist yet.
 */
export interface LogFollower {
  /** Reads everything written so far; calls run one after another, never interleaved. */
  drain(): Promise<void>;
  /** Stops following and closes the file. */
  close(): Promise<void>;
}

export interface LogFollowerOptions {
  readonly file: string;
  readonly onLine: (line: string) => void;
  /** How often to look for new lines without being asked (default 250 ms); 0 = only when drained. */
  readonly intervalMs?: number;
  /** Start at the beginning of the file (default), or only read what is written from now on. */
  readonly fromStart?: boolean;
  /** A timed read failed; the next one tries again. Reported once until a read works again. */
  readonly onError?: (error: unknown) => void;
  /**
   * Checked on the open file at every read (owner and mode); a returned problem stops the read
   * with that error. Keeps a file that someone made writable, or swapped, from being believed.
   */
  readonly accept?: (stats: { uid: number; mode: number }, file: string) => string | undefined;
}

interface Reader {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  offset: number;
  partial: Buffer;
  /** Reads in a row that found nothing new, for a rotated-away file. */
  idle: number;
}

const CHUNK = 64 * 1024;
// A writer may finish its last lines into the renamed file (rsyslog until it is told to reopen),
// so the old file is read a few more times before it is let go.
const ROTATED_READS = 20;

export function followLog(options: LogFollowerOptions): LogFollower {
  let current: Reader | undefined;
  let rotated: Reader | undefined;
  let firstOpen = true;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();

  const emit = (reader: Reader, bytes: Buffer, final: boolean) => {
    const text = Buffer.concat([reader.partial, bytes]);
    let start = 0;
    for (let end = text.indexOf(10); end >= 0; end = text.indexOf(10, start)) {
      options.onLine(text.subarray(start, end).toString('utf8'));
      start = end + 1;
    }
    reader.partial = Buffer.from(text.subarray(start));
    if (final && reader.partial.length > 0) {
      options.onLine(reader.partial.toString('utf8'));
      reader.partial = Buffer.alloc(0);
    }
  };

  const readToEnd = async (reader: Reader): Promise<number> => {
    const stats = await reader.handle.stat();
    const problem = options.accept?.(stats, options.file);
    if (problem !== undefined) throw new Error(`${problem}; not reading it`);
    const size = stats.size;
    if (size < reader.offset) {
      // Truncated in place (logrotate's copytruncate): what is there now is all new.
      reader.offset = 0;
      reader.partial = Buffer.alloc(0);
    }
    let total = 0;
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await reader.handle.read(buffer, 0, CHUNK, reader.offset);
      if (bytesRead === 0) return total;
      reader.offset += bytesRead;
      total += bytesRead;
      emit(reader, buffer.subarray(0, bytesRead), false);
    }
  };

  const retire = async (reader: Reader | undefined) => {
    if (!reader) return;
    emit(reader, Buffer.alloc(0), true);
    await reader.handle.close();
  };

  const readOnce = async () => {
    if (closed) return;
    const onDisk = await stat(options.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (current && (!onDisk || onDisk.ino !== current.ino || onDisk.dev !== current.dev)) {
      await retire(rotated);
      rotated = current;
      current = undefined;
    }
    if (rotated) {
      const read = await readToEnd(rotated);
      rotated.idle = read > 0 ? 0 : rotated.idle + 1;
      if (rotated.idle >= ROTATED_READS) {
        await retire(rotated);
        rotated = undefined;
      }
    }
    if (!current && onDisk) {
      const handle = await open(options.file, 'r');
      const opened = await handle.stat();
      const skip = firstOpen && options.fromStart === false;
      current = {
        handle,
        dev: opened.dev,
        ino: opened.ino,
        offset: skip ? opened.size : 0,
        partial: Buffer.alloc(0),
        idle: 0,
      };
      firstOpen = false;
    }
    if (current) await readToEnd(current);
  };

  const drain = () => {
    const run = queue.then(readOnce);
    queue = run.catch(() => undefined);
    return run;
  };

  let failing = false;
  const timer =
    options.intervalMs === 0
      ? undefined
      : setInterval(() => {
          drain().then(
            () => (failing = false),
            (error: unknown) => {
              if (!failing) options.onError?.(error);
              failing = true;
            },
          );
        }, options.intervalMs ?? 250);
  timer?.unref();

  return {
    drain,
    async close() {
      closed = true;
      clearInterval(timer);
      await queue;
      await retire(rotated);
      await current?.handle.close();
      rotated = current = undefined;
    },
  };
}
