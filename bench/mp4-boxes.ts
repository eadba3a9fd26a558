/**
 * Walks the top-level boxes of an MP4 from Node, reading only each box header,
 * so the bench knows the moov's size and position without trusting the app.
 */
import { open } from 'node:fs/promises';

/** One top-level box: its four-character type, where it starts and how long it is. */
export interface TopLevelBox {
  type: string;
  offset: number;
  size: number;
}

/** Reads the header at every top-level box boundary (16 bytes each) until the end of the file. */
export async function listTopLevelBoxes(filePath: string): Promise<TopLevelBox[]> {
  const handle = await open(filePath, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const header = Buffer.alloc(16);
    const boxes: TopLevelBox[] = [];
    let offset = 0;
    while (offset + 8 <= fileSize) {
      const { bytesRead } = await handle.read(header, 0, 16, offset);
      if (bytesRead < 8) break;
      let size = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (size === 1) {
        // 64-bit largesize follows the type; mdat in a >4 GB file needs it.
        if (bytesRead < 16) throw new Error(`Box '${type}' at ${offset} declares a 64-bit size but the file ends.`);
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) {
        // "Extends to the end of the file."
        size = fileSize - offset;
      }
      if (size < 8) throw new Error(`Box '${type}' at ${offset} has an impossible size ${size}; is this an MP4?`);
      boxes.push({ type, offset, size });
      offset += size;
    }
    return boxes;
  } finally {
    await handle.close();
  }
}

/** The file's moov box (and whether the media data comes first), or an error naming the boxes found instead. */
export async function findMoov(filePath: string): Promise<TopLevelBox & { afterMdat: boolean }> {
  const boxes = await listTopLevelBoxes(filePath);
  const index = boxes.findIndex((b) => b.type === 'moov');
  if (index < 0) {
    throw new Error(`No moov box in ${filePath}; top-level boxes: ${boxes.map((b) => b.type).join(', ')}`);
  }
  const moov = boxes[index]!;
  return { ...moov, afterMdat: boxes.slice(0, index).some((b) => b.type === 'mdat') };
}
