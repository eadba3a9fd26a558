import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../../src/media/source.js';

/**
 * A {@link ByteSource} over a file handle, for Node tests of files over 4 GB: Node 20's
 * `fs.openAsBlob` wraps the size of such files at 2^32, so it cannot stand in for a browser File.
 */
export class FileHandleSource implements ByteSource {
  #bytesRead = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileHandleSource> {
    const handle = await open(path, 'r');
    return new FileHandleSource(handle, (await handle.stat()).size);
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const buffer = new Uint8Array(end - offset);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, offset);
    this.#bytesRead += bytesRead;
    return buffer.subarray(0, bytesRead);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
