// The first bundle holds only the app shell; the quick-look worker starts once the page is idle,
// the service worker once the page has loaded.
import './components/peekcast-app.js';
import './components/app-status.js';
import { markFileChosen } from './components/quicklook-timing.js';
import { receiveLaunchedFiles } from './controllers/launched-files.js';

declare const __PEEKCAST_BUILD__: string;

// Which build this page is (outside checks compare it across an update).
document.documentElement.dataset.build = __PEEKCAST_BUILD__;

const app = document.querySelector('peekcast-app');
const status = document.querySelector('pc-app-status');
if (app) {
  // The moment the file input is on screen and usable: `npm run bench` reads this mark.
  void app.updateComplete.then(async () => {
    await app.shadowRoot?.querySelector('pc-file-drop')?.updateComplete;
    performance.mark('peekcast-interactive');
  });
  receiveLaunchedFiles(
    (files) => {
      markFileChosen();
      app.openFiles(files);
    },
    (message) => status?.notify(message),
  );
}
