import { describe, expect, it } from 'vitest';
import { BridgeUsageError, readBridgeSendOptions } from '../../server/bridge/cli.js';
import { RtpSequencer } from '../../server/bridge/rtp-sequencer.js';
import { bridgeSignalingUrl } from '../../server/bridge/sender.js';
import { ffmpegArgs, parseSize, parseSource } from '../../server/bridge/sources.js';

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

describe('bridge sources and options', () => {
  it('parses sources, sizes and the server address', () => {
    expect(parseSource('test')).toEqual({ kind: 'test' });
    expect(parseSource('file:/srv/signage/loop.mp4')).toEqual({ kind: 'file', path: '/srv/signage/loop.mp4' });
    expect(() => parseSource('v4l2:/dev/video0')).toThrow(/not supported by this bridge yet/);
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
    expect(options).toMatchObject({ source: { kind: 'test' }, code: '123456', settings: { width: 640, height: 360, fps: 30, bitrate: 1_500_000 }, logJson: true });
    expect(() => readBridgeSendOptions(['--server', 'http://x'])).toThrow(BridgeUsageError);
    expect(() => readBridgeSendOptions(['--source', 'test'])).toThrow(/--server is required/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--fps', '0'])).toThrow(/--fps/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--bitrate', 'fast'])).toThrow(/--bitrate/);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'not a url'])).toThrow(BridgeUsageError);
    expect(() => readBridgeSendOptions(['--source', 'test', '--server', 'http://x', '--wat'])).toThrow(BridgeUsageError);
  });
});
