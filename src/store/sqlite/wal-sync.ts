import { close, fdatasync, open } from 'node:fs';

/** Makes the file at a path durable: open, fdatasync, close, in libuv's thread pool. */
export type FileSync = (path: string) => Promise<void>;

export const syncFile: FileSync = (path) =>
  new Promise((resolve, reject) => {
    open(path, 'r', (openError, fd) => {
      if (openError !== null) {
        // No WAL file: nothing was written since the last checkpoint removed it.
        if (openError.code === 'ENOENT') resolve();
        else reject(openError);
        return;
      }
      fdatasync(fd, (syncError) => {
        close(fd, () => (syncError === null ? resolve() : reject(syncError)));
      });
    });
  });

/**
 * One fsync of the WAL for every commit made before it started, run off the event loop. The
 * connection commits with `synchronous = NORMAL` (the WAL is written, not synced), and whoever
 * must answer only once its commit survives a power cut awaits `sync()`: in WAL mode that is
 * what `synchronous = FULL` gives, without stopping the thread for each commit's fsync, so the
 * next batch is written while the last one reaches the disk.
 *
 * A call made while a sync is running waits for the next one, which starts when the running one
 * ends: the running one may have begun before the caller's commit.
 */
export function walSync(walPath: string, sync: FileSync = syncFile): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = sync(walPath).finally(() => {
      if (running === current) running = undefined;
    });
    running = current;
    return current;
  };
  return () => {
    if (next !== undefined) return next;
    if (running === undefined) return start();
    next = running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}
