/**
 * `peekcast doctor` against fake machines: sysfs, /dev, /proc and /etc trees in a temp folder (no
 * real devices here), the real ffmpeg (or a missing one), and its remedies asserted word for word
 * where people will copy them.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorReport } from '../../server/bridge/doctor.js';

const trees: string[] = [];
afterAll(() => {
  for (const t of trees) rmSync(t, { recursive: true, force: true });
});

interface FakeMachine {
  /** /dev/videoN with its sysfs entry (USB ids, driver, name) and its mode and group. */
  videos?: Array<{ n: number; name: string; vendor: string; product: string; mode: number; gid: number }>;
  uvcvideo?: boolean;
  container?: boolean;
  cards?: Array<{ name: string; connectors: Record<string, 'connected' | 'disconnected'> }>;
  capEff?: string;
}

function file(root: string, path: string, text = ''): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function machine(spec: FakeMachine): string {
  const root = mkdtempSync(join(tmpdir(), 'peekcast-doctor-'));
  trees.push(root);
  file(root, 'etc/group', 'root:x:0:\nvideo:x:44:\nrender:x:105:\nalice:x:1000:\n');
  file(root, 'proc/self/status', `Name:\tnode\nCapEff:\t${spec.capEff ?? '0000000000000000'}\n`);
  file(root, 'proc/1/cgroup', spec.container ? '0::/system.slice/docker-4f1e.scope\n' : '0::/init.scope\n');
  if (spec.container) file(root, '.dockerenv');
  mkdirSync(join(root, 'dev'), { recursive: true });
  if (spec.uvcvideo) mkdirSync(join(root, 'sys/module/uvcvideo'), { recursive: true });
  for (const v of spec.videos ?? []) {
    file(root, `dev/video${v.n}`);
    chmodSync(join(root, `dev/video${v.n}`), v.mode);
    // Owned by root and the device's group, as udev makes it (the tests run as root, as CI does).
    chownSync(join(root, `dev/video${v.n}`), 0, v.gid);
    const usb = `sys/devices/pci0000:00/usb1/1-${v.n + 1}`;
    file(root, `${usb}/idVendor`, `${v.vendor}\n`);
    file(root, `${usb}/idProduct`, `${v.product}\n`);
    mkdirSync(join(root, `${usb}/1-${v.n + 1}:1.0`), { recursive: true });
    mkdirSync(join(root, 'sys/bus/usb/drivers/uvcvideo'), { recursive: true });
    symlinkSync(join(root, 'sys/bus/usb/drivers/uvcvideo'), join(root, `${usb}/1-${v.n + 1}:1.0/driver`));
    file(root, `sys/class/video4linux/video${v.n}/name`, `${v.name}\n`);
    symlinkSync(join(root, `${usb}/1-${v.n + 1}:1.0`), join(root, `sys/class/video4linux/video${v.n}/device`));
  }
  for (const c of spec.cards ?? []) {
    file(root, `dev/dri/${c.name}`);
    for (const [connector, status] of Object.entries(c.connectors)) file(root, `sys/class/drm/${c.name}-${connector}/status`, `${status}\n`);
  }
  return root;
}

const ids = (r: DoctorReport) => r.problems.map((p) => p.id);
const problem = (r: DoctorReport, id: string) => r.problems.find((p) => p.id === id)!;
const alice = { uid: 1000, gids: [1000] };
const CAMERA = { n: 0, name: 'HD Pro Webcam C920', vendor: '046d', product: '082d', mode: 0o660, gid: 44 };

describe('peekcast doctor', () => {
  it('no capture device and no uvcvideo: says to load the driver, and a v4l2 source cannot work', async () => {
    const root = machine({});
    const report = await runDoctor({ root, identity: alice, source: 'v4l2:/dev/video0' });
    expect(report.ok).toBe(false);
    expect(report.devices).toEqual([]);
    expect(problem(report, 'uvcvideo-not-loaded').remedy).toContain('sudo modprobe uvcvideo');
    // The test source needs no device: that can work here.
    expect((await runDoctor({ root, identity: alice, source: 'test' })).ok).toBe(true);
  });

  it('a device this user may not open: names it, and gives the group and a udev rule for its USB ids', async () => {
    const root = machine({ uvcvideo: true, videos: [CAMERA] });
    const report = await runDoctor({ root, identity: alice, source: 'v4l2:/dev/video0' });
    expect(report.ok).toBe(false);
    expect(report.devices).toEqual([{ path: '/dev/video0', name: 'HD Pro Webcam C920', driver: 'uvcvideo', usb: '046d:082d', readable: false }]);
    const p = problem(report, 'no-access:/dev/video0');
    expect(p.message).toContain('uid 1000');
    expect(p.remedy).toContain('sudo usermod -aG video $USER');
    expect(p.remedy).toContain('SUBSYSTEM=="video4linux", ATTRS{idVendor}=="046d", ATTRS{idProduct}=="082d", MODE="0660", GROUP="video"');
    // In the video group the same device is fine.
    const member = await runDoctor({ root, identity: { uid: 1000, gids: [1000, 44] }, source: 'v4l2:/dev/video0' });
    expect(member.ok).toBe(true);
    expect(member.user.groups).toEqual(['alice', 'video']);
  });

  it('a container given no devices: says how to pass them in', async () => {
    const report = await runDoctor({ root: machine({ container: true }), identity: alice, source: 'v4l2:/dev/video0' });
    expect(report.container).toBe(true);
    expect(report.ok).toBe(false);
    const { remedy } = problem(report, 'container-no-video-devices');
    expect(remedy).toContain('--device /dev/video0');
    expect(remedy).toContain('--group-add video');
    expect(remedy).toContain("--device-cgroup-rule='c 81:* rmw'");
  });

  it('everything fine: the camera, a connected screen, ffmpeg with v4l2 and kmsgrab, and CAP_SYS_ADMIN for kms', async () => {
    const root = machine({ uvcvideo: true, videos: [{ ...CAMERA, mode: 0o666 }], cards: [{ name: 'card0', connectors: { 'HDMI-A-1': 'connected', 'HDMI-A-2': 'disconnected' } }], capEff: '000001ffffffffff' });
    const report = await runDoctor({ root, identity: alice });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.ffmpeg).toMatchObject({ found: true, v4l2: true, kmsgrab: true });
    expect(report.drm).toEqual([{ path: '/dev/dri/card0', kind: 'card', connected: ['HDMI-A-1'], readable: false }]);
    expect(report.capSysAdmin).toBe(true);
    expect((await runDoctor({ root, identity: alice, source: 'v4l2:/dev/video0' })).ok).toBe(true);
    expect((await runDoctor({ root, identity: alice, source: 'kms' })).ok).toBe(true);
    expect((await runDoctor({ root, identity: alice, sink: 'drm' })).ok).toBe(true);
    // Another device name than the one there is named, with the one to use.
    expect(problem(await runDoctor({ root, identity: alice, source: 'v4l2:/dev/video4' }), 'no-such-device').remedy).toBe('Use one of them: --source v4l2:/dev/video0');
  });

  it('kms without CAP_SYS_ADMIN, no screen connected, and no ffmpeg at all', async () => {
    const root = machine({ cards: [{ name: 'card0', connectors: { 'HDMI-A-1': 'disconnected' } }] });
    const kms = await runDoctor({ root, identity: alice, source: 'kms' });
    expect(kms.ok).toBe(false);
    expect(problem(kms, 'kmsgrab-needs-cap-sys-admin').remedy).toBe('sudo setcap cap_sys_admin+ep "$(command -v ffmpeg)"');
    expect(problem(kms, 'no-display-connected').message).toContain('/dev/dri/card0');
    const noFfmpeg = await runDoctor({ root, identity: alice, ffmpeg: join(root, 'no-such-ffmpeg'), source: 'test' });
    expect(noFfmpeg.ok).toBe(false);
    expect(noFfmpeg.ffmpeg.found).toBe(false);
    expect(problem(noFfmpeg, 'ffmpeg-missing').remedy).toBe('sudo apt-get install -y ffmpeg');
    expect(ids(noFfmpeg)).not.toContain('ffmpeg-no-v4l2');
  });

  it('on the command line: JSON with --json, exit status by whether the source can work', async () => {
    const root = machine({ uvcvideo: true, videos: [{ ...CAMERA, mode: 0o666 }] });
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'server/main.ts', 'doctor', '--json', '--root', root, ...args], (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
      });
    const good = await cli(['--source', 'v4l2:/dev/video0']);
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as DoctorReport;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['ok', 'devices', 'drm', 'ffmpeg', 'problems']));
    expect(report.devices[0]).toMatchObject({ path: '/dev/video0', usb: '046d:082d' });
    const bad = await cli(['--source', 'v4l2:/dev/video7']);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as DoctorReport).problems.map((p) => p.id)).toContain('no-such-device');
  });
});
