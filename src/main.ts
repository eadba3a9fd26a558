// The first bundle holds only the app shell; the quick-look worker starts once the page is idle.
import './components/peekcast-app.js';
