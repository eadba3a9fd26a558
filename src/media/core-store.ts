/**
 * A copy of the ffmpeg core's wasm in the origin private file system, so a returning user's core
 * loads from a plain file instead of through the HTTP cache (or the service worker's cache).
 *
 * Measured here (headless chromium, 32 MB core): reading the wasm back from the HTTP cache takes
 * 0.5–0.9 s however it is served (gzipped or not), the same bytes read from this store take
 * 0.2 s. The file is named after the content-hashed asset, so a new build's core never reads an
 * old one, and storing it removes the files of older builds.
 *
 * Every step may fail (no OPFS, storage full, quota, a second tab writing): callers treat a
 * failure as "not stored" and fetch the core as before.
 */
const DIRECTORY = 'peekcast-ffmpeg-core';

async function directory(create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (!storage?.getDirectory) return undefined;
  const root = await storage.getDirectory();
  return root.getDirectoryHandle(DIRECTORY, { create }).catch((error: unknown) => {
    if (!create && error instanceof DOMException && error.name === 'NotFoundError') return undefined;
    throw error;
  });
}

/** The stored bytes of `name`, or undefined when they are absent or not `size` bytes long. */
export async function readStoredCore(name: string, size: number): Promise<Uint8Array | undefined> {
  const dir = await directory(false);
  const handle = await dir?.getFileHandle(name).catch(() => undefined);
  const file = await handle?.getFile();
  if (!file || file.size === 0 || (size > 0 && file.size !== size)) return undefined;
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * Stores the core under `name` and removes every other file of the store. The writable stream
 * writes to a swap file that replaces `name` only when closed, so a reader never sees half a core.
 */
export async function storeCore(name: string, chunks: readonly Uint8Array[]): Promise<void> {
  const dir = await directory(true);
  if (!dir) return;
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  try {
    for (const chunk of chunks) await writable.write(chunk as Uint8Array<ArrayBuffer>);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => undefined);
    throw error;
  }
  // Names first, removals after: a directory changed while it is being listed is not well defined.
  const names: string[] = [];
  for await (const entry of entryNames(dir)) names.push(entry);
  for (const entry of names) if (entry !== name) await dir.removeEntry(entry).catch(() => undefined);
}

/** Forgets the stored core (it failed to compile), so the next load fetches it again; never throws. */
export async function forgetStoredCore(name: string): Promise<void> {
  try {
    await (await directory(false))?.removeEntry(name);
  } catch {
    // Nothing stored, or no OPFS: nothing to forget.
  }
}

async function* entryNames(dir: FileSystemDirectoryHandle): AsyncGenerator<string> {
  // `keys()` is not in TypeScript's DOM lib yet; chromium has had it since OPFS shipped.
  const keys = (dir as unknown as { keys(): AsyncIterable<string> }).keys();
  for await (const key of keys) yield key;
}
