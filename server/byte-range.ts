/** An inclusive byte range within a file, as in `Content-Range: bytes start-end/size`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What a `Range` header asks for:
 * - `ignore`: no header, a unit other than bytes, a malformed value, or several ranges;
 *   the server then sends the whole file with 200, which RFC 9110 allows;
 * - `unsatisfiable`: no requested byte exists (answer 416);
 * - `range`: one range, clamped to the file size (answer 206).
 */
export type RangeRequest =
  | { kind: 'ignore' }
  | { kind: 'unsatisfiable' }
  | { kind: 'range'; range: ByteRange };

const SINGLE_BYTE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against a file of `size` bytes. Multi-range requests are served whole:
 * browsers and media elements only ever ask for one range, and multipart bodies are not worth their code.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'ignore' };
  const match = SINGLE_BYTE_RANGE.exec(header.trim());
  if (!match) return { kind: 'ignore' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'ignore' };

  if (first === '') {
    // `bytes=-N`: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - length), end: size - 1 } };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return { kind: 'ignore' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end } };
}
