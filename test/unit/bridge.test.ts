import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeUsageError, readBridgeReceiveOptions, readBridgeSendOptions } from '../../server/bridge/cli.js';
import { parseSink, recordArgs, sinkSdp } from '../../server/bridge/receiver.js';
import { codeImageArgs, detectDisplay, playCommand, showImageCommand } from '../../server/bridge/display.js';
import { chooseEncoder, encoderArgs, testEncodeArgs } from '../../server/bridge/encoders.js';
import { RtpSequencer } from '../../server/bridge/rtp-sequencer.js';
import { asksForKeyframe } from '../../server/bridge/sender.js';
import { bridgeSignalingUrl } from '../../server/bridge/signaling.js';
import { PictureLossIndication, RtcpPayloadSpecificFeedback, RtcpRrPacket } from 'werift';
import { ffmpegArgs, parseSize, parseSource } from '../../server/bridge/sources.js';
import { parseV4l2Formats, planV4l2Capture } from '../../server/bridge/v4l2.js';

/** A minimal RTP packet: version 2, payload type 96, the given sequence number, timestamp and SSRC. */
function rtp(seq: number, ts: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(16);
  packet[0] = 0x80;
  packet[1] = 96;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(ts, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}
const seqOf = (p: Buffer) => p.readUInt16BE(2);
const tsOf = (p: Buffer) => p.readUInt32BE(4);

describe('RtpSequencer', () => {
  it('passes the first run through and keeps one sequence across restarts, wrapping at 16 and 32 bits', () => {
    const s = new RtpSequencer(90_000);
    const first = [rtp(65534, 4294967000, 1), rtp(65535, 4294967200, 1), rtp(0, 104, 1)].map((p, i) => s.rewrite(p, 1, 1000 + i)!);
    expect(first.map(seqOf)).toEqual([65534, 65535, 0]);
    expect(first.map(tsOf)).toEqual([4294967000, 4294967200, 104]);
    // ffmpeg restarted 500 ms later with its own random numbering: the stream goes on by one packet
    // and by 500 ms of the 90 kHz clock.
    const second = [rtp(31000, 7_000_000, 2), rtp(31001, 7_003_000, 2)].map((p, i) => s.rewrite(p, 2, 1502 + i)!);
    expect(second.map(seqOf)).toEqual([1, 2]);
    expect(tsOf(second[0]!)).toBe(104 + 45_000);
    expect(tsOf(second[1]!) - tsOf(second[0]!)).toBe(3000);
  });

  it('refuses what is not RTP', () => {
    const s = new RtpSequencer();
    expect(s.rewrite(Buffer.alloc(8), 1)).toBeUndefined();
    const rtcpLike = rtp(1, 1, 1);
    rtcpLike[0] = 0x40;
    expect(s.rewrite(rtcpLike, 1)).toBeUndefined();
  });
});

describe('keyframe requests', () => {
  it('takes a picture-loss indication and a full intra request for one, and nothing else', () => {
    expect(asksForKeyframe(new RtcpPayloadSpecificFeedback({ feedback: new PictureLossIndication({ senderSsrc: 1, mediaSsrc: 2 }) }))).toBe(true);
    expect(asksForKeyframe({ type: 206, feedback: { count: 4 } })).toBe(true);
    expect(asksForKeyframe({ type: 206, feedback: { count: 15 } })).toBe(false); // REMB
    expect(asksForKeyframe(new RtcpRrPacket({ ssrc: 1 }))).toBe(false);
  });
});

describe('bridge sources and options', () => {
  it('parses sources, sizes and the server address', () => {
    expect(parseSource('test')).toEqual({ kind: 'test' });
    expect(parseSource('file:/srv/signage/loop.mp4')).toEqual({ kind: 'file', path: '/srv/signage/loop.mp4' });
    expect(parseSource('v4l2:/dev/video2')).toEqual({ kind: 'v4l2', device: '/dev/video2' });
    expect(parseSource('kms')).toEqual({ kind: 'kms', device: '/dev/dri/card0' });
    expect(parseSource('kms:/dev/dri/card1')).toEqual({ kind: 'kms', device: '/dev/dri/card1' });
    expect(() => parseSource('v4l2:video0')).toThrow(/not a source/);
    expect(() => parseSource('camera')).toThrow(/not a source/);
    expect(parseSize('1920x1080')).toEqual({ width: 1920, height: 1080 });
    expect(() => parseSize('1919x1080')).toThrow(/even/);
    expect(bridgeSignalingUrl('http://192.168.1.20:8080')).toBe('ws://192.168.1.20:8080/signal');
    expect(bridgeSignalingUrl('https://tv.example:8443/cast?x=1')).toBe('wss://tv.example:8443/signal');
    expect(() => bridgeSignalingUrl('ftp://x')).toThrow(/Peekcast server/);
  });

  it('builds a low-latency H.264 RTP command line: no B-frames, headers on every keyframe, the SSRC it was given', () => {
    const args = ffmpegArgs({ kind: 'test' }, { width: 1280, height: 720, fps: 30, bitrate: 2_000_000 }, 40000, 1234);
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(args).toContain('testsrc2=size=1280x720:rate=30');
    expect(at('-c:v')).toBe('libx264');
    expect(at('-tune')).toBe('zerolatency');
    expect(at('-bf')).toBe('0');
    expect(at('-x264-params')).toBe('repeat-headers=1');
    expect(at('-b:v')).toBe('2000k');
    expect(at('-ssrc')).toBe('1234');
    expect(args.at(-1)).toBe('rtp://127.0.0.1:40000?pkt_size=1200');
    const file = ffmpegArgs({ kind: 'file', path: '/v/a.mkv' }, { width: 640, height: 360, fps: 25, bitrate: 1_000_000 }, 1, 1);
    expect(file.slice(file.indexOf('-stream_loop'), file.indexOf('-i') + 2)).toEqual(['-stream_loop', '-1', '-i', '/v/a.mkv']);
    expect(file[file.indexOf('-vf') + 1]).toContain('scale=640:360:force_original_aspect_ratio=decrease');
  });

  it('reads `bridge send` options and says what is wrong', () => {
    const options = readBridgeSendOptions(['--source', 'test', '--server', 'http://127.0.0.1:8080', '--code', '123456', '--size', '640x360', '--bitrate', '1.5M', '--log-json']);
    expect(options).toMatchObject({ source: { kind: 'test' }, sourceId: 'test', code: '123456', settings: { width: 640, height: 360, fps: 30, bitrate: 1_500_000 }, logJson: true });
    expect(() => readBridgeSendOptions(['--server', 'http://x'])).toThrow(BridgeUsageError);
    expect(() => readBridgeSendOptions(['--source', 'test'])).toThrow(/--server is required/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--fps', '0'])).toThrow(/--fps/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--bitrate', 'fast'])).toThrow(/--bitrate/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'not a url'])).toThrow(BridgeUsageError);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--wat'])).toThrow(BridgeUsageError);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--encoder', 'h265_magic'])).toThrow(/--encoder/);
    expect(readBridgeSendOptions(['--source', 'test', '--server', 'http://x']).encoder).toBe('auto');
  });
});

/**
 * `ffmpeg -f v4l2 -list_formats all -i /dev/videoN` as Debian's ffmpeg prints it for three kinds of
 * device (the log lines only; the banner and the final "Immediate exit requested" left out).
 */
const H264_CAMERA = `[video4linux2,v4l2 @ 0x55f1d0c3e940] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240 160x120 1280x720
[video4linux2,v4l2 @ 0x55f1d0c3e940] Compressed:       mjpeg :          Motion-JPEG : 1920x1080 1280x720 640x480 320x240
[video4linux2,v4l2 @ 0x55f1d0c3e940] Compressed:        h264 :                H.264 : 1920x1080 1280x720 640x480`;
const MJPEG_DONGLE = `[video4linux2,v4l2 @ 0x5581a3f2c0c0] Compressed:       mjpeg :          Motion-JPEG : 1920x1080 1600x1200 1360x768 1280x1024 1280x960 1280x720 1024x768 800x600 720x576 720x480 640x480`;
const YUYV_ONLY = `[video4linux2,v4l2 @ 0x562f6f5a8a00] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 352x288 320x240 176x144 160x120`;
const SCALER = `[video4linux2,v4l2 @ 0x55c4] Raw       :        nv12 :         Y/CbCr 4:2:0 : {32-4096, 2}x{32-2304, 2}
[video4linux2,v4l2 @ 0x55c4] Compressed: Unsupported :          Private : 1920x1080`;

describe('v4l2 capture plans', () => {
  it('reads the formats and sizes a device offers', () => {
    expect(parseV4l2Formats(H264_CAMERA).map((f) => [f.pixfmt, f.compressed, f.sizes === 'any' ? 'any' : f.sizes.length])).toEqual([
      ['yuyv422', false, 4],
      ['mjpeg', true, 4],
      ['h264', true, 3],
    ]);
    expect(parseV4l2Formats(SCALER)).toEqual([{ compressed: false, pixfmt: 'nv12', sizes: 'any' }]);
    expect(parseV4l2Formats('/dev/video9: No such file or directory')).toEqual([]);
  });

  it('passes an H.264 camera through without re-encoding, SPS/PPS repeated on keyframes', () => {
    const plan = planV4l2Capture('/dev/video0', parseV4l2Formats(H264_CAMERA), { width: 1280, height: 720, fps: 30 });
    expect(plan).toMatchObject({ pixfmt: 'h264', width: 1280, height: 720, passthrough: true });
    expect(plan.input).toEqual(['-f', 'v4l2', '-input_format', 'h264', '-video_size', '1280x720', '-framerate', '30', '-i', '/dev/video0']);
    const args = ffmpegArgs({ kind: 'v4l2', device: '/dev/video0' }, { width: 1280, height: 720, fps: 30, bitrate: 2e6 }, 5000, 7, plan);
    expect(args.slice(args.indexOf('-c:v'), args.indexOf('-c:v') + 4)).toEqual(['-c:v', 'copy', '-bsf:v', 'dump_extra=freq=keyframe']);
    expect(args).not.toContain('libx264');
  });

  it('encodes an MJPEG-only dongle at the best size not above the one asked for', () => {
    const formats = parseV4l2Formats(MJPEG_DONGLE);
    const plan = planV4l2Capture('/dev/video1', formats, { width: 1280, height: 800, fps: 30 });
    expect(plan).toMatchObject({ pixfmt: 'mjpeg', width: 1280, height: 720, passthrough: false });
    const args = ffmpegArgs({ kind: 'v4l2', device: '/dev/video1' }, { width: 1280, height: 800, fps: 30, bitrate: 2e6 }, 5000, 7, plan);
    expect(args[args.indexOf('-c:v') + 1]).toBe('libx264');
    expect(args[args.indexOf('-tune') + 1]).toBe('zerolatency');
    expect(args[args.indexOf('-vf') + 1]).toContain('scale=1280:800');
    // The smallest size when none is small enough.
    expect(planV4l2Capture('/dev/video1', formats, { width: 320, height: 240, fps: 30 })).toMatchObject({ width: 640, height: 480 });
  });

  it('takes a YUYV-only device raw, and prefers MJPEG over raw above 640×480', () => {
    expect(planV4l2Capture('/dev/video2', parseV4l2Formats(YUYV_ONLY), { width: 1280, height: 720, fps: 30 })).toMatchObject({ pixfmt: 'yuyv422', width: 640, height: 480, passthrough: false });
    expect(planV4l2Capture('/dev/video2', parseV4l2Formats(YUYV_ONLY), { width: 320, height: 240, fps: 15 }).input).toContain('320x240');
    const camera = parseV4l2Formats(H264_CAMERA).filter((f) => f.pixfmt !== 'h264');
    expect(planV4l2Capture('/dev/video0', camera, { width: 1280, height: 720, fps: 30 }).pixfmt).toBe('mjpeg');
    expect(planV4l2Capture('/dev/video0', camera, { width: 640, height: 480, fps: 30 }).pixfmt).toBe('yuyv422');
    expect(planV4l2Capture('/dev/video3', parseV4l2Formats(SCALER), { width: 1920, height: 1080, fps: 30 })).toMatchObject({ pixfmt: 'nv12', width: 1920, height: 1080 });
    expect(() => planV4l2Capture('/dev/video4', [], { width: 640, height: 480, fps: 30 })).toThrow(/no video formats/);
  });

  it('grabs the KMS screen through kmsgrab, downloading and scaling the framebuffer', () => {
    const args = ffmpegArgs({ kind: 'kms', device: '/dev/dri/card1' }, { width: 1920, height: 1080, fps: 30, bitrate: 4e6 }, 5000, 7);
    expect(args.slice(args.indexOf('-device'), args.indexOf('-i') + 2)).toEqual(['-device', '/dev/dri/card1', '-f', 'kmsgrab', '-framerate', '30', '-i', '-']);
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^hwdownload,format=bgr0,scale=1920:1080/);
  });
});

describe('bridge receive', () => {
  it('parses sinks and options', () => {
    expect(parseSink('file:/srv/rec/cast.mkv')).toEqual({ kind: 'file', path: '/srv/rec/cast.mkv' });
    expect(parseSink('drm')).toEqual({ kind: 'drm', card: '/dev/dri/card0' });
    expect(parseSink('drm:/dev/dri/card1')).toEqual({ kind: 'drm', card: '/dev/dri/card1' });
    expect(() => parseSink('tape')).toThrow(/not a sink/);
    expect(readBridgeReceiveOptions(['--sink', 'file:a.mkv', '--server', 'http://127.0.0.1:8080', '--log-json'])).toEqual({ sink: { kind: 'file', path: 'a.mkv' }, server: 'http://127.0.0.1:8080', logJson: true });
    expect(() => readBridgeReceiveOptions(['--server', 'http://x'])).toThrow(/--sink is required/);
    expect(() => readBridgeReceiveOptions(['--sink', 'file:a.mkv'])).toThrow(/--server is required/);
  });

  it('describes the received RTP to ffmpeg and records it without re-encoding', () => {
    const sdp = sinkSdp([
      { kind: 'video', port: 40002, payloadType: 97, codec: 'H264', clockRate: 90000, fmtp: 'packetization-mode=1' },
      { kind: 'audio', port: 40010, payloadType: 111, codec: 'opus', clockRate: 48000, channels: 2 },
    ]);
    expect(sdp.split('\r\n')).toEqual(expect.arrayContaining(['m=video 40002 RTP/AVP 97', 'a=rtpmap:97 H264/90000', 'a=fmtp:97 packetization-mode=1', 'c=IN IP4 127.0.0.1', 'm=audio 40010 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2']));
    expect(sinkSdp([{ kind: 'video', port: 40002, payloadType: 96, codec: 'VP8', clockRate: 90000 }])).not.toContain('a=fmtp');
    const args = recordArgs('/tmp/x/cast.sdp', '/srv/rec/cast.mkv');
    expect(args.slice(args.indexOf('-c'), args.indexOf('-c') + 2)).toEqual(['-c', 'copy']);
    expect(args.at(-1)).toBe('/srv/rec/cast.mkv');
    expect(args[args.indexOf('-protocol_whitelist') + 1]).toBe('file,udp,rtp');
  });
});

describe('drm sink', () => {
  const machine = (programs: Record<string, string | undefined>, files: string[]) => ({
    run: (command: string, args: string[]) => Promise.resolve(programs[`${command} ${args.join(' ')}`]),
    exists: (path: string) => Promise.resolve(files.includes(path)),
  });

  it('picks the first display program that can draw here: mpv, then GStreamer kmssink, then ffmpeg to fbdev', async () => {
    const mpv = 'Available video outputs:\n  gpu\n  drm              Direct Rendering Manager (software scaling)\n';
    const gst = 'Factory Details:\n  Long-name                KMS video sink\n';
    expect(await detectDisplay(machine({ 'mpv --vo=help': mpv, 'gst-inspect-1.0 kmssink': gst }, ['/dev/dri/card0']))).toEqual({ kind: 'mpv', device: '/dev/dri/card0' });
    expect(await detectDisplay(machine({ 'mpv --vo=help': 'Available video outputs:\n  gpu\n', 'gst-inspect-1.0 kmssink': gst }, ['/dev/dri/card0']))).toEqual({ kind: 'gstreamer', device: '/dev/dri/card0' });
    expect(await detectDisplay(machine({ 'ffmpeg -hide_banner -devices': ' DE fbdev           Linux framebuffer\n' }, ['/dev/fb0']))).toEqual({ kind: 'ffmpeg-fbdev', device: '/dev/fb0' });
    const none = await detectDisplay(machine({}, []));
    expect('none' in none && none.none).toContain('apt-get install mpv');
  });

  it('plays the RTP with little buffering, and shows the code between casts', () => {
    const stream = { sdpPath: '/tmp/s/cast.sdp', port: 40000, payloadType: 96, codec: 'VP8' };
    const mpv = playCommand({ kind: 'mpv', device: '/dev/dri/card1' }, stream);
    expect(mpv.command).toBe('mpv');
    expect(mpv.args).toEqual(expect.arrayContaining(['--vo=drm', '--drm-device=/dev/dri/card1', '--profile=low-latency', '--untimed', '/tmp/s/cast.sdp']));
    const gst = playCommand({ kind: 'gstreamer', device: '/dev/dri/card0' }, { ...stream, codec: 'H264', payloadType: 102 });
    expect(gst.args.join(' ')).toContain('udpsrc port=40000 caps=application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=102 ! rtpjitterbuffer latency=50 ! rtph264depay');
    expect(gst.args.at(-2)).toBe('kmssink');
    const fb = playCommand({ kind: 'ffmpeg-fbdev', device: '/dev/fb0' }, stream);
    expect(fb.args.slice(-4)).toEqual(['bgra', '-f', 'fbdev', '/dev/fb0']);
    expect(codeImageArgs('123456', '/tmp/c.png').join(' ')).toContain("text='1 2 3 4 5 6'");
    // Debian's ffmpeg draws that screen for real: a 1920×1080 PNG.
    const dir = mkdtempSync(join(tmpdir(), 'peekcast-code-'));
    try {
      execFileSync('ffmpeg', codeImageArgs('123456', join(dir, 'code.png')));
      const png = readFileSync(join(dir, 'code.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1920, 1080]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(showImageCommand({ kind: 'mpv', device: '/dev/dri/card0' }, '/tmp/c.png').args).toContain('--image-display-duration=inf');
    expect(showImageCommand({ kind: 'ffmpeg-fbdev', device: '/dev/fb0' }, '/tmp/c.png').args.slice(-2)).toEqual(['fbdev', '/dev/fb0']);
  });
});

describe('encoders', () => {
  const live = { width: 1280, height: 720, fps: 30, bitrate: 2_000_000 };

  it('sets every encoder up for a live cast: no B-frames, 2 s GOP, headers on keyframes, capped rate', () => {
    const x264 = encoderArgs('libx264', live);
    expect(x264).toEqual(expect.arrayContaining(['-bf', '0', '-g', '60', '-tune', 'zerolatency', '-x264-params', 'repeat-headers=1', '-maxrate', '2000k']));
    const m2m = encoderArgs('h264_v4l2m2m', live);
    expect(m2m).toEqual(expect.arrayContaining(['-c:v', 'h264_v4l2m2m', '-g', '60', '-bsf:v', 'dump_extra=freq=keyframe']));
    const vaapi = ffmpegArgs({ kind: 'test' }, live, 5000, 1, undefined, 'h264_vaapi');
    // The VA-API device comes before the input, frames are uploaded at the end of the filters.
    expect(vaapi.indexOf('-vaapi_device')).toBeLessThan(vaapi.indexOf('-i'));
    expect(vaapi[vaapi.indexOf('-vf') + 1]).toMatch(/,format=nv12,hwupload$/);
    expect(vaapi).toEqual(expect.arrayContaining(['-c:v', 'h264_vaapi', '-bf', '0', '-profile:v', 'constrained_baseline']));
    expect(testEncodeArgs('h264_vaapi').slice(0, 6)).toEqual(['-hide_banner', '-loglevel', 'error', '-nostdin', '-vaapi_device', '/dev/dri/renderD128']);
  });

  it('uses a hardware encoder only when its test encode works, libx264 otherwise', async () => {
    const works = (names: string[]) => (_: string, args: string[]) => Promise.resolve(names.includes(args[args.indexOf('-c:v') + 1]!));
    expect(await chooseEncoder('auto', 'ffmpeg', works(['h264_vaapi']))).toEqual({ encoder: 'h264_vaapi', why: 'hardware encoder found working' });
    expect(await chooseEncoder('auto', 'ffmpeg', works([]))).toMatchObject({ encoder: 'libx264', why: expect.stringContaining('h264_v4l2m2m and h264_vaapi do not work here') });
    expect(await chooseEncoder('h264_v4l2m2m', 'ffmpeg', works(['h264_v4l2m2m']))).toMatchObject({ encoder: 'h264_v4l2m2m' });
    expect(await chooseEncoder('libx264', 'ffmpeg', works([]))).toMatchObject({ encoder: 'libx264' });
    // On this machine, with Debian's ffmpeg: the hardware encoders are compiled in but have no hardware.
    expect((await chooseEncoder('auto')).encoder).toBe('libx264');
  });
});
