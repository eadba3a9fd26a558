/**
 * `peekcast bridge send …`: the bridge's command line (see {@link BRIDGE_USAGE}). It casts a source
 * through ffmpeg and werift to the screens it pairs with, logs what happens (one JSON object a line
 * with `--log-json`), and on SIGINT/SIGTERM ends its ffmpeg before it exits.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { detectDisplay, type Display } from './display.js';
import { formatDoctorReport, runDoctor } from './doctor.js';
import { chooseEncoder, type EncoderName } from './encoders.js';
import { createLog, type BridgeLog } from './log.js';
import { RtpSource } from './rtp-source.js';
import { BridgeReceiver, parseSink, type SinkSpec } from './receiver.js';
import { BridgeSender } from './sender.js';
import { DEFAULT_SETTINGS, parseSize, parseSource, type EncodeSettings, type SourceSpec } from './sources.js';

export const BRIDGE_USAGE = `Usage: peekcast bridge send --source SOURCE --server URL [--code CODE] [options]

Casts SOURCE to the Peekcast screen showing CODE (or, without --code, waits for the server's
control API to start it).

  --source test          a test picture (testsrc2) with the time burned in
  --source file:PATH     a video file, played in a loop
  --source v4l2:DEVICE   a UVC device (USB camera, HDMI-to-USB dongle), e.g. v4l2:/dev/video0;
                         its own H.264 is passed through, MJPEG and raw video are encoded
  --source kms[:CARD]    the DRM/KMS screen (ffmpeg needs: setcap cap_sys_admin+ep $(command -v ffmpeg))
  --server URL           the Peekcast server, e.g. http://192.168.1.20:8080
  --code CODE            the pairing code a screen shows
  --size WxH             picture size (default ${DEFAULT_SETTINGS.width}x${DEFAULT_SETTINGS.height})
  --fps N                frames per second (default ${DEFAULT_SETTINGS.fps})
  --bitrate N            video bitrate in bits per second, k and M allowed (default 2M)
  --name NAME            how the control API lists this bridge (default: bridge on HOSTNAME)
  --encoder NAME         auto (default: a hardware encoder when one works here, else libx264),
                         libx264, h264_v4l2m2m or h264_vaapi
  --ffmpeg PATH          the ffmpeg to run (default: ffmpeg on PATH)
  --log-json             log one JSON object a line

Usage: peekcast bridge receive --sink SINK --server URL [--log-json] [--ffmpeg PATH]

Makes this box a screen: it logs a pairing code (event pair-code), and records what a sender
casts to it.

  --sink file:PATH       record the cast's video to PATH (Matroska) without re-encoding
  --sink drm[:CARD]      show the cast (and, between casts, the code) on the DRM/KMS screen, with
                         the first of mpv --vo=drm, GStreamer kmssink or ffmpeg to /dev/fb0

Usage: peekcast doctor [--json] [--source SOURCE] [--sink SINK] [--ffmpeg PATH]

Says what the bridge can use here (capture devices, displays, ffmpeg, permissions) and how to fix
each problem. Exit status 0 when the --source/--sink given (or, without them, everything) can work.`;

export class BridgeUsageError extends Error {}

/** Runs `read`; whatever it throws about the arguments becomes a BridgeUsageError (printed with the usage). */
function inUsageTerms<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof BridgeUsageError) throw error;
    throw new BridgeUsageError(error instanceof Error ? error.message : String(error));
  }
}

export interface BridgeSendOptions {
  source: SourceSpec;
  /** `--source` as given: the bridge's `source_id` for the control API. */
  sourceId: string;
  server: string;
  code?: string;
  settings: EncodeSettings;
  name: string;
  ffmpeg?: string;
  encoder: EncoderName | 'auto';
  logJson: boolean;
}

const ENCODER_CHOICES = ['auto', 'libx264', 'h264_v4l2m2m', 'h264_vaapi'] as const;

function parseBitrate(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
  if (!match) throw new BridgeUsageError(`--bitrate ${JSON.stringify(text)}: give bits per second, e.g. 2M or 1500k.`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2] as '' | 'k' | 'K' | 'm' | 'M'];
  return Math.round(Number(match[1]) * scale);
}

/** Reads `bridge send` arguments (the words after `bridge send`). */
export function readBridgeSendOptions(argv: string[]): BridgeSendOptions {
  return inUsageTerms(() => {
    const { values } = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        server: { type: 'string' },
        code: { type: 'string' },
        size: { type: 'string' },
        fps: { type: 'string' },
        bitrate: { type: 'string' },
        name: { type: 'string' },
        ffmpeg: { type: 'string' },
        encoder: { type: 'string', default: 'auto' },
        'log-json': { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.source) throw new BridgeUsageError('--source is required.');
    if (!values.server) throw new BridgeUsageError('--server is required.');
    const size = values.size ? parseSize(values.size) : DEFAULT_SETTINGS;
    const fps = values.fps === undefined ? DEFAULT_SETTINGS.fps : Number(values.fps);
    if (!Number.isInteger(fps) || fps < 1 || fps > 120) throw new BridgeUsageError(`--fps ${values.fps}: give a whole number from 1 to 120.`);
    new URL(values.server);
    const encoder = ENCODER_CHOICES.find((e) => e === values.encoder);
    if (!encoder) throw new BridgeUsageError(`--encoder ${values.encoder}: give one of ${ENCODER_CHOICES.join(', ')}.`);
    return {
      encoder,
      source: parseSource(values.source),
      sourceId: values.source,
      server: values.server,
      ...(values.code ? { code: values.code } : {}),
      settings: { width: size.width, height: size.height, fps, bitrate: values.bitrate ? parseBitrate(values.bitrate) : DEFAULT_SETTINGS.bitrate },
      name: values.name ?? `bridge on ${hostname()}`,
      ...(values.ffmpeg ? { ffmpeg: values.ffmpeg } : {}),
      logJson: values['log-json'] ?? false,
    };
  });
}

export interface BridgeReceiveOptions {
  sink: SinkSpec;
  server: string;
  ffmpeg?: string;
  logJson: boolean;
}

/** Reads `bridge receive` arguments (the words after `bridge receive`). */
export function readBridgeReceiveOptions(argv: string[]): BridgeReceiveOptions {
  return inUsageTerms(() => {
    const { values } = parseArgs({
      args: argv,
      options: { sink: { type: 'string' }, server: { type: 'string' }, ffmpeg: { type: 'string' }, 'log-json': { type: 'boolean', default: false } },
      strict: true,
    });
    if (!values.sink) throw new BridgeUsageError('--sink is required.');
    if (!values.server) throw new BridgeUsageError('--server is required.');
    new URL(values.server);
    return { sink: parseSink(values.sink), server: values.server, ...(values.ffmpeg ? { ffmpeg: values.ffmpeg } : {}), logJson: values['log-json'] ?? false };
  });
}

const untilSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

/** Runs `bridge receive` until SIGINT/SIGTERM; the recording is finished before it exits. */
export async function runBridgeReceive(options: BridgeReceiveOptions, log: BridgeLog = createLog(options.logJson)): Promise<number> {
  log('state', { state: 'starting' });
  let display: Display | undefined;
  if (options.sink.kind === 'drm') {
    const found = await detectDisplay({ card: options.sink.card });
    if ('none' in found) {
      log.error('display', { card: options.sink.card }, found.none);
      return 1;
    }
    display = found;
    log('display', { kind: found.kind, device: found.device });
  }
  const receiver = new BridgeReceiver({ server: options.server, sink: options.sink, log, ...(options.ffmpeg ? { ffmpeg: options.ffmpeg } : {}), ...(display ? { display } : {}) });
  receiver.onState = (state) => log('state', { state });
  const signal = await untilSignal();
  log('exit', { signal });
  await receiver.close();
  return 0;
}

/** Runs `bridge send` until SIGINT/SIGTERM; resolves with the exit status. */
export async function runBridgeSend(options: BridgeSendOptions, log: BridgeLog = createLog(options.logJson)): Promise<number> {
  const bridge = await startBridgeSend(options, log);
  const signal = await untilSignal();
  log('exit', { signal });
  await bridge.stop();
  return 0;
}

/**
 * Starts casting as `bridge send` does and hands back how to stop (the sender leaves, ffmpeg ends);
 * the server process runs its own bridge this way. `trustSelfSigned`: the server is this process on
 * loopback, so its self-signed certificate is accepted.
 */
export async function startBridgeSend(options: BridgeSendOptions, log: BridgeLog = createLog(options.logJson), trustSelfSigned = false): Promise<{ stop(): Promise<void> }> {
  // The source reports to the sender, which needs the source: tie them once both exist.
  const bridge: { sender?: BridgeSender } = {};
  const { encoder, why } = await chooseEncoder(options.encoder, options.ffmpeg);
  log('encoder', { encoder }, why);
  const source = new RtpSource(options.source, options.settings, {
    log,
    encoder,
    ...(options.ffmpeg ? { ffmpeg: options.ffmpeg } : {}),
    onState: (state, detail) => bridge.sender?.sourceState(state, detail),
  });
  const sender = (bridge.sender = new BridgeSender({ server: options.server, source, log, name: options.name, sourceId: options.sourceId, trustSelfSigned }));
  sender.onState = (state, detail) => log('state', { state }, detail);
  log('state', { state: 'starting' });
  await source.start();
  if (options.code) {
    sender.join(options.code).catch((error: unknown) => log.error('join', { code: options.code }, error instanceof Error ? error.message : String(error)));
  }
  return {
    async stop() {
      sender.close();
      await source.stop();
    },
  };
}

/** `peekcast doctor`: prints the report (JSON with --json); 0 when what was asked for can work. */
export async function runDoctorCommand(argv: string[]): Promise<number> {
  const { values } = inUsageTerms(() =>
    parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, source: { type: 'string' }, sink: { type: 'string' }, ffmpeg: { type: 'string' }, root: { type: 'string' } },
      strict: true,
    }),
  );
  const report = await runDoctor({
    ...(values.root ? { root: values.root } : {}),
    ...(values.ffmpeg ? { ffmpeg: values.ffmpeg } : {}),
    ...(values.source ? { source: values.source } : {}),
    ...(values.sink ? { sink: values.sink } : {}),
  });
  console.log(values.json ? JSON.stringify(report) : formatDoctorReport(report));
  return report.ok ? 0 : 1;
}

/** `peekcast bridge …` from the command line. */
export async function bridgeMain(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'send') return await runBridgeSend(readBridgeSendOptions(rest));
    if (command === 'receive') return await runBridgeReceive(readBridgeReceiveOptions(rest));
    if (command === 'doctor') return await runDoctorCommand(rest);
    throw new BridgeUsageError(command ? `Unknown bridge command ${JSON.stringify(command)}.` : 'Say what the bridge does: bridge send or bridge receive.');
  } catch (error) {
    if (!(error instanceof BridgeUsageError)) throw error;
    console.error(`${error.message}\n\n${BRIDGE_USAGE}`);
    return 1;
  }
}
