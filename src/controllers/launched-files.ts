import { SHARE_PARAM, type ServiceWorkerMessage } from '../shared/pwa-messages.js';

/** The File Handling API's launch queue (Chromium), as far as we use it. */
interface LaunchParams {
  files?: ReadonlyArray<{ kind: string; name?: string; getFile?: () => Promise<File> }>;
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void | Promise<void>): void;
}

/**
 * Files the system hands to the installed app: opened from the file manager (manifest
 * `file_handlers`, read from `window.launchQueue`) or shared to it (`share_target`: the service
 * worker holds the POSTed files and gives them to the page the POST redirects to). Each batch goes
 * to `open`; anything that could not be read goes to `problem` as a sentence for the user.
 */
export function receiveLaunchedFiles(open: (files: File[]) => void, problem: (message: string) => void): void {
  const queue = (window as Window & { launchQueue?: LaunchQueue }).launchQueue;
  queue?.setConsumer(async (params) => {
    const handles = (params.files ?? []).filter((h) => h.kind === 'file' && typeof h.getFile === 'function');
    const results = await Promise.allSettled(handles.map((h) => h.getFile!()));
    const files = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = results.length - files.length;
    if (failed > 0) problem(`${failed === 1 ? 'One file' : `${failed} files`} opened with Peekcast could not be read (moved, deleted, or permission refused).`);
    if (files.length > 0) open(files);
  });

  const url = new URL(window.location.href);
  if (!url.searchParams.has(SHARE_PARAM)) return;
  // The share is handled once: a reload of this page must not ask again.
  url.searchParams.delete(SHARE_PARAM);
  window.history.replaceState(window.history.state, '', url);
  const worker = navigator.serviceWorker;
  const controller = worker?.controller;
  if (!worker || !controller) {
    problem('The shared video did not reach Peekcast: it can take shared files once it has been opened and installed. Share it again, or open it here.');
    return;
  }
  worker.addEventListener('message', function onMessage(event: MessageEvent<ServiceWorkerMessage>) {
    if (event.data?.type !== 'SHARED_FILES') return;
    worker.removeEventListener('message', onMessage);
    const files = event.data.files.filter((f) => f instanceof File);
    if (files.length > 0) open(files);
    else problem('The shared video was lost before Peekcast could open it. Share it again, or open it here.');
  });
  worker.startMessages();
  controller.postMessage({ type: 'SHARE_READY' } satisfies ServiceWorkerMessage);
}
