/**
 * `peekcast doctor`: what the bridge can use on this box, and for every problem the exact remedy.
 * It reads the machine through a root folder (`/` for real; a fake sysfs/dev/proc/etc tree in
 * tests) and runs ffmpeg to ask what it supports.
 */
import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathExists as exists, runTool } from './tools.js';

export interface DoctorDevice {
  path: string;
  name?: string;
  driver?: string;
  /** USB vendor and product ids, `046d:085e`. */
  usb?: string;
  readable: boolean;
}

export interface DoctorDrmCard {
  path: string;
  kind: 'card' | 'render';
  /** Connectors with a display attached, e.g. `HDMI-A-1`. */
  connected: string[];
  readable: boolean;
}

export interface DoctorProblem {
  id: string;
  message: string;
  remedy: string;
}

export interface DoctorReport {
  ok: boolean;
  devices: DoctorDevice[];
  drm: DoctorDrmCard[];
  ffmpeg: { found: boolean; path: string; version?: string; v4l2: boolean; kmsgrab: boolean; hardwareEncoders: string[] };
  user: { uid: number; groups: string[] };
  container: boolean;
  uvcvideoLoaded: boolean;
  /** The process's effective capabilities include CAP_SYS_ADMIN. */
  capSysAdmin: boolean;
  problems: DoctorProblem[];
}

export interface DoctorOptions {
  /** The machine's root: `/`, or a fake tree. */
  root?: string;
  ffmpeg?: string;
  /** Whose access to check (the running process by default). */
  identity?: { uid: number; gids: number[] };
  /** What the bridge is asked to use: the report's `ok` says whether that can work. */
  source?: string;
  sink?: string;
}

const CAP_SYS_ADMIN = 21n;
const HARDWARE_ENCODERS = ['h264_v4l2m2m', 'h264_vaapi', 'h264_nvenc', 'h264_qsv', 'h264_omx'];

const readText = (path: string) => readFile(path, 'utf8').then((t) => t.trim(), () => undefined);
const list = (path: string) => readdir(path).catch(() => [] as string[]);

/** What a program printed, whatever its exit status; undefined when it is not installed. */
const run = (command: string, args: string[]): Promise<string | undefined> => runTool(command, args).then((r) => (r.found ? r.output : undefined));

/** Whether `identity` may read and write `path`, from its mode, owner and group (as the kernel decides, root aside). */
async function mayOpen(path: string, identity: { uid: number; gids: number[] }): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return false;
  if (identity.uid === 0) return true;
  const bits = identity.uid === info.uid ? (info.mode >> 6) & 7 : identity.gids.includes(info.gid) ? (info.mode >> 3) & 7 : info.mode & 7;
  return (bits & 6) === 6;
}

/** /etc/group as name → gid and gid → name. */
async function groups(root: string): Promise<Map<string, number>> {
  const text = (await readText(join(root, 'etc/group'))) ?? '';
  const byName = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gid && /^\d+$/.test(gid)) byName.set(name, Number(gid));
  }
  return byName;
}

async function videoDevices(root: string, identity: { uid: number; gids: number[] }): Promise<DoctorDevice[]> {
  const names = (await list(join(root, 'dev'))).filter((n) => /^video\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return Promise.all(
    names.map(async (n) => {
      const sys = join(root, 'sys/class/video4linux', n);
      const deviceLink = join(sys, 'device');
      const iface = await realpath(deviceLink).catch(() => undefined);
      const driver = iface ? await readlink(join(iface, 'driver')).then((l) => basename(l), () => undefined) : undefined;
      const vendor = iface ? await readText(join(dirname(iface), 'idVendor')) : undefined;
      const product = iface ? await readText(join(dirname(iface), 'idProduct')) : undefined;
      const name = await readText(join(sys, 'name'));
      return {
        path: `/dev/${n}`,
        ...(name ? { name } : {}),
        ...(driver ? { driver } : {}),
        ...(vendor && product ? { usb: `${vendor}:${product}` } : {}),
        readable: await mayOpen(join(root, 'dev', n), identity),
      };
    }),
  );
}

async function drmCards(root: string, identity: { uid: number; gids: number[] }): Promise<DoctorDrmCard[]> {
  const names = (await list(join(root, 'dev/dri'))).filter((n) => /^(card|renderD)\d+$/.test(n)).sort();
  const connectors = await list(join(root, 'sys/class/drm'));
  return Promise.all(
    names.map(async (n) => {
      const connected: string[] = [];
      for (const c of connectors.filter((c) => c.startsWith(`${n}-`))) {
        if ((await readText(join(root, 'sys/class/drm', c, 'status'))) === 'connected') connected.push(c.slice(n.length + 1));
      }
      return { path: `/dev/dri/${n}`, kind: n.startsWith('card') ? ('card' as const) : ('render' as const), connected, readable: await mayOpen(join(root, 'dev/dri', n), identity) };
    }),
  );
}

async function inContainer(root: string): Promise<boolean> {
  if ((await exists(join(root, '.dockerenv'))) || (await exists(join(root, 'run/.containerenv')))) return true;
  const cgroup = (await readText(join(root, 'proc/1/cgroup'))) ?? '';
  return /docker|kubepods|containerd|lxc|libpod/.test(cgroup);
}

async function effectiveCapabilities(root: string): Promise<bigint> {
  const status = (await readText(join(root, 'proc/self/status'))) ?? '';
  const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return hex ? BigInt(`0x${hex}`) : 0n;
}

/** Looks the box over; never throws for what it finds (that is what the report is for). */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const root = options.root ?? '/';
  const identity = options.identity ?? { uid: process.getuid?.() ?? 0, gids: process.getgroups?.() ?? [] };
  const ffmpegPath = options.ffmpeg ?? 'ffmpeg';
  const [devices, drm, container, caps, groupIds, uvcvideoLoaded] = await Promise.all([
    videoDevices(root, identity),
    drmCards(root, identity),
    inContainer(root),
    effectiveCapabilities(root),
    groups(root),
    exists(join(root, 'sys/module/uvcvideo')),
  ]);
  const [version, devicesText, encodersText] = await Promise.all([run(ffmpegPath, ['-hide_banner', '-version']), run(ffmpegPath, ['-hide_banner', '-devices']), run(ffmpegPath, ['-hide_banner', '-encoders'])]);
  const ffmpeg = {
    found: version !== undefined,
    path: ffmpegPath,
    ...(version ? { version: /ffmpeg version (\S+)/.exec(version)?.[1] ?? 'unknown' } : {}),
    v4l2: /\bD\S*\s+video4linux2/.test(devicesText ?? ''),
    kmsgrab: /\bD\S*\s+kmsgrab/.test(devicesText ?? ''),
    hardwareEncoders: HARDWARE_ENCODERS.filter((e) => new RegExp(`\\s${e}\\s`).test(encodersText ?? '')),
  };
  const nameOf = new Map([...groupIds].map(([name, gid]) => [gid, name]));
  const user = { uid: identity.uid, groups: identity.gids.map((g) => nameOf.get(g) ?? String(g)) };
  const capSysAdmin = ((caps >> CAP_SYS_ADMIN) & 1n) === 1n;

  const problems: DoctorProblem[] = [];
  const needed = new Set<string>();
  const wantsV4l2 = options.source?.startsWith('v4l2:');
  const wantsKms = options.source?.startsWith('kms');
  const problem = (p: DoctorProblem, blocks: boolean) => {
    problems.push(p);
    if (blocks) needed.add(p.id);
  };

  if (!ffmpeg.found) {
    problem({ id: 'ffmpeg-missing', message: `ffmpeg (${ffmpegPath}) is not installed or not on PATH; the bridge captures and encodes with it.`, remedy: 'sudo apt-get install -y ffmpeg' }, true);
  } else {
    if (!ffmpeg.v4l2) problem({ id: 'ffmpeg-no-v4l2', message: 'This ffmpeg was built without the v4l2 input, so it cannot read capture devices.', remedy: "Install your distribution's ffmpeg: sudo apt-get install -y ffmpeg" }, Boolean(wantsV4l2));
    if (!ffmpeg.kmsgrab) problem({ id: 'ffmpeg-no-kmsgrab', message: 'This ffmpeg was built without kmsgrab, so it cannot capture the screen.', remedy: "Install your distribution's ffmpeg: sudo apt-get install -y ffmpeg" }, Boolean(wantsKms));
  }

  if (devices.length === 0) {
    if (container) {
      problem({ id: 'container-no-video-devices', message: 'This runs in a container that was given no /dev/video* devices.', remedy: "Start it with the device and its group: docker run --device /dev/video0 --group-add video … (or, for devices plugged in later, --device-cgroup-rule='c 81:* rmw' -v /dev:/dev)" }, Boolean(wantsV4l2));
    } else if (!uvcvideoLoaded) {
      problem({ id: 'uvcvideo-not-loaded', message: 'No /dev/video* devices, and the uvcvideo driver is not loaded.', remedy: 'Plug the camera or capture dongle in; if it still does not appear: sudo modprobe uvcvideo' }, Boolean(wantsV4l2));
    } else {
      problem({ id: 'no-video-devices', message: 'No /dev/video* devices: no camera or capture dongle is plugged in (or it is not a UVC device).', remedy: 'Plug the device in and check: lsusb; dmesg | grep -i uvc' }, Boolean(wantsV4l2));
    }
  }
  for (const d of devices) {
    if (d.readable) continue;
    const blocks = Boolean(wantsV4l2 && options.source === `v4l2:${d.path}`);
    const [vendor, product] = (d.usb ?? 'VVVV:PPPP').split(':');
    const remedy = container
      ? `Give the container the group: docker run --device ${d.path} --group-add video …`
      : `sudo usermod -aG video $USER (then log in again), or a udev rule: echo 'SUBSYSTEM=="video4linux", ATTRS{idVendor}=="${vendor}", ATTRS{idProduct}=="${product}", MODE="0660", GROUP="video"' | sudo tee /etc/udev/rules.d/70-peekcast-capture.rules && sudo udevadm control --reload && sudo udevadm trigger`;
    problem({ id: `no-access:${d.path}`, message: `This user (uid ${identity.uid}, groups ${user.groups.join(', ') || 'none'}) cannot open ${d.path}${d.name ? ` (${d.name})` : ''}.`, remedy }, blocks || Boolean(wantsV4l2 && devices.length === 1));
  }
  if (wantsV4l2 && !devices.some((d) => options.source === `v4l2:${d.path}`) && devices.length > 0) {
    problem({ id: 'no-such-device', message: `${options.source!.slice(5)} does not exist; this box has ${devices.map((d) => d.path).join(', ')}.`, remedy: `Use one of them: --source v4l2:${devices[0]!.path}` }, true);
  }

  const cards = drm.filter((c) => c.kind === 'card');
  if (wantsKms || options.sink === 'drm') {
    if (cards.length === 0) {
      problem({ id: 'no-drm', message: container ? 'This container was given no /dev/dri devices.' : 'No /dev/dri/card* devices: no display driver is loaded.', remedy: container ? 'docker run --device /dev/dri --group-add video --group-add render …' : 'Load the display driver for this hardware (e.g. sudo modprobe vc4 on a Raspberry Pi)' }, true);
    } else if (!cards.some((c) => c.connected.length > 0)) {
      problem({ id: 'no-display-connected', message: `No display is connected to ${cards.map((c) => c.path).join(', ')}.`, remedy: 'Connect the screen (HDMI/DP) and switch it on, then run the doctor again' }, true);
    }
  }
  if (wantsKms && ffmpeg.found && !capSysAdmin) {
    const caps = await run('getcap', [ffmpegPath.includes('/') ? ffmpegPath : ((await run('sh', ['-c', `command -v ${ffmpegPath}`]))?.trim() ?? ffmpegPath)]);
    if (!caps || !/cap_sys_admin/.test(caps)) {
      problem({ id: 'kmsgrab-needs-cap-sys-admin', message: 'kmsgrab needs CAP_SYS_ADMIN, and ffmpeg does not have it (give it to ffmpeg, never to node).', remedy: 'sudo setcap cap_sys_admin+ep "$(command -v ffmpeg)"' }, true);
    }
  }

  return { ok: needed.size === 0 && (options.source || options.sink ? true : problems.length === 0), devices, drm, ffmpeg, user, container, uvcvideoLoaded, capSysAdmin, problems };
}

/** The report for people: what is there, then each problem with its remedy. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`ffmpeg: ${report.ffmpeg.found ? `${report.ffmpeg.version} (v4l2 ${report.ffmpeg.v4l2 ? 'yes' : 'no'}, kmsgrab ${report.ffmpeg.kmsgrab ? 'yes' : 'no'}, hardware encoders: ${report.ffmpeg.hardwareEncoders.join(', ') || 'none'})` : 'not found'}`];
  lines.push(`capture devices: ${report.devices.length ? '' : 'none'}`);
  for (const d of report.devices) lines.push(`  ${d.path}  ${d.name ?? ''}  driver ${d.driver ?? '?'}  usb ${d.usb ?? '?'}  ${d.readable ? 'ok' : 'NO ACCESS'}`);
  lines.push(`displays: ${report.drm.length ? '' : 'none'}`);
  for (const c of report.drm) lines.push(`  ${c.path}  ${c.kind}  ${c.connected.length ? `connected: ${c.connected.join(', ')}` : 'nothing connected'}  ${c.readable ? 'ok' : 'NO ACCESS'}`);
  lines.push(`user: uid ${report.user.uid}, groups ${report.user.groups.join(', ') || 'none'}; container: ${report.container ? 'yes' : 'no'}; CAP_SYS_ADMIN: ${report.capSysAdmin ? 'yes' : 'no'}`);
  for (const p of report.problems) lines.push('', `PROBLEM ${p.id}: ${p.message}`, `  fix: ${p.remedy}`);
  lines.push('', report.ok ? 'OK' : 'NOT OK');
  return lines.join('\n');
}
