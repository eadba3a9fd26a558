// The receiving screen (/receive): its own small page, so a TV or projector loads only what it needs.
import './components/cast-receiver.js';
