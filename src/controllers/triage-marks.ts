import { createStore, getMany, set, type UseStore } from 'idb-keyval';
import { NO_MARKS, type TriageMarks } from '../shared/triage-api.js';

/**
 * The user's flags, ratings, tags and notes, kept in IndexedDB under each file's content
 * fingerprint (see fingerprint.ts), so they survive reloads, renames and opening the folder again.
 * Writes are fire-and-forget but ordered; a storage failure (private mode, quota) leaves the marks
 * working for this session and says so once through `onError`.
 */
export class TriageMarksStore {
  #store: UseStore | undefined;
  #failed = false;

  constructor(private readonly onError: (message: string) => void = () => undefined) {}

  #db(): UseStore {
    return (this.#store ??= createStore('peekcast-triage', 'marks'));
  }

  /** The saved marks of these fingerprints, NO_MARKS where none were saved. */
  async load(fingerprints: readonly string[]): Promise<TriageMarks[]> {
    if (fingerprints.length === 0) return [];
    try {
      const found = await getMany<Partial<TriageMarks> | undefined>([...fingerprints], this.#db());
      return found.map(normalise);
    } catch (error) {
      this.#fail(error);
      return fingerprints.map(() => NO_MARKS);
    }
  }

  save(fingerprint: string, marks: TriageMarks): Promise<void> {
    return set(fingerprint, marks, this.#db()).catch((error: unknown) => this.#fail(error));
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const detail = error instanceof Error ? error.message : String(error);
    this.onError(`Flags cannot be saved in this browser (${detail}); they last until the page is closed.`);
  }
}

/** Saved marks as this version reads them: unknown or damaged fields fall back to none. */
function normalise(saved: Partial<TriageMarks> | undefined): TriageMarks {
  if (!saved || typeof saved !== 'object') return NO_MARKS;
  const flag = saved.flag === 'keep' || saved.flag === 'reject' || saved.flag === 'star' ? saved.flag : '';
  const rating = Number.isInteger(saved.rating) ? Math.max(0, Math.min(5, saved.rating!)) : 0;
  const tags = Array.isArray(saved.tags) ? saved.tags.filter((t): t is string => typeof t === 'string') : [];
  const note = typeof saved.note === 'string' ? saved.note : '';
  return { flag, rating, tags, note };
}
