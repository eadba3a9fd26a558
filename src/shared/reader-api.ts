/**
 * The reader worker's API. A ranged read of a File (`Blob.slice`) costs the calling thread a
 * synchronous round trip to the browser, 1.5–9 ms here depending on load; the quick-look worker
 * hands its reads to this worker so they never stall decoding and drawing.
 */
export interface ReaderApi {
  /** Keeps `blob` under `id` until {@link ReaderApi.drop}; reads name it by `id`. */
  hold(id: number, blob: Blob): void;
  drop(id: number): void;
  /** The bytes `[offset, offset + length)` of the held blob `id` (clamped to its end). */
  read(id: number, offset: number, length: number): Promise<Uint8Array>;
}
