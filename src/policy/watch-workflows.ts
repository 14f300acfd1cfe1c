import { type FSWatcher, watch } from 'node:fs';

/** Editors write a file in several steps (truncate, write, rename): wait for them to settle. */
export const RELOAD_DEBOUNCE_MS = 500;

/**
 * Calls `onChange` once the files of the workflows folder have stopped changing for `debounceMs`
 * (any change in the folder: an edit, a new file, a removed one, a rename). Returns a stop
 * function. A folder that cannot be watched is reported through `onError` and reloads then come
 * from SIGHUP only.
 */
export function watchWorkflows(input: {
  readonly dir: string;
  readonly onChange: () => void;
  readonly onError: (error: unknown) => void;
  readonly debounceMs?: number;
}): () => void {
  const debounceMs = input.debounceMs ?? RELOAD_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(input.dir, { persistent: false }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        input.onChange();
      }, debounceMs);
    });
    watcher.on('error', input.onError);
  } catch (error) {
    input.onError(error);
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
