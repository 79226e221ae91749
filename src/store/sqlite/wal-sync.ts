import { closeSync, fdatasync, open } from 'node:fs';

/** A file whose writes can be made durable, in libuv's thread pool. */
export interface SyncedFile {
  sync(): Promise<void>;
  /** Lets go of the descriptor; a later `sync` opens the file again. */
  close(): void;
}

/**
 * `fdatasync` through a descriptor opened on first use and kept: SQLite keeps its WAL file (the
 * same inode) for as long as a connection to the database is open, and the connection that
 * writes it is. A WAL not created yet holds nothing to sync.
 */
export function keptOpen(path: string): SyncedFile {
  let kept: number | undefined;
  const syncFd = (fd: number) =>
    new Promise<void>((resolve, reject) =>
      fdatasync(fd, (error) => (error === null ? resolve() : reject(error))),
    );
  const opened = () =>
    new Promise<number | undefined>((resolve, reject) =>
      open(path, 'r', (error, fd) => {
        if (error === null) resolve(fd);
        else if (error.code === 'ENOENT') resolve(undefined);
        else reject(error);
      }),
    );
  return {
    async sync() {
      if (kept === undefined) {
        const fd = await opened();
        if (fd === undefined) return;
        if (kept === undefined) kept = fd;
        else closeSync(fd);
      }
      await syncFd(kept);
    },
    close() {
      if (kept !== undefined) closeSync(kept);
      kept = undefined;
    },
  };
}

/**
 * One sync of the WAL for every commit made before it started, run off the event loop. The
 * connection commits with `synchronous = NORMAL` (the WAL is written, not synced), and whoever
 * must answer only once its commit survives a power cut awaits the function returned: in WAL mode
 * that is what `synchronous = FULL` gives, without stopping the thread for each commit's fsync,
 * so the next batch is written while the last one reaches the disk.
 *
 * A call made while a sync is running waits for the next one, which starts when the running one
 * ends: the running one may have begun before the caller's commit.
 */
export function walSync(sync: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const current = sync().finally(() => {
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
