/**
 * The text field, list or menu a key press went to (followed into shadow roots), or undefined: the
 * page's single-key shortcuts leave those keys to the field.
 */
export function fieldTarget(event: KeyboardEvent): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | undefined {
  const target = event.composedPath()[0];
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement ? target : undefined;
}
