// The sender (/cast): its own page, loaded when the user goes to cast.
import './components/cast-sender.js';
