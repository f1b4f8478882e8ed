// Reads a V8 .cpuprofile (node --cpu-prof) and lists the frames with the most self time, to see where a mode's
// server CPU goes. Percentages are of the non-idle time. Alone: node dist-bench/bench/cpu-profile.js <file> [top]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  functionName: string;
  where: string;
  selfMs: number;
  selfPercent: number;
}

/** Self time summed by where the code lives (this library, passport, Nest, Express, node core, GC …). */
export interface Category {
  category: string;
  selfMs: number;
  selfPercent: number;
}

/** Calls `visit` with the frame and duration of every non-idle sample; returns the busy time in µs. */
function forEachBusySample(profile: CpuProfile, visit: (frame: ProfileNode['callFrame'], us: number) => void): number {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    const us = profile.timeDeltas[i] ?? 0;
    busyUs += us;
    visit(frame, us);
  });
  return busyUs;
}

export function categoriseProfile(profile: CpuProfile): Category[] {
  const totals = new Map<string, number>();
  const busyUs = forEachBusySample(profile, (frame, us) => {
    const category = categoryOf(frame.url, frame.functionName);
    totals.set(category, (totals.get(category) ?? 0) + us);
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([category, us]) => ({ category, selfMs: us / 1000, selfPercent: (100 * us) / busyUs }));
}

function categoryOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (!url) return functionName.startsWith('(') ? `V8 ${functionName}` : 'native (syscalls, builtins)';
  if (url.startsWith('node:internal/crypto')) return 'node:crypto';
  if (url.startsWith('node:')) return 'node core (http, net, streams, timers)';
  if (url.includes('/dist-bench/lib/')) return 'this library (lib/)';
  if (url.includes('/dist-bench/bench/')) return 'the bench app';
  const modules = url.lastIndexOf('node_modules/');
  if (modules === -1) return 'other';
  const name = url.slice(modules + 'node_modules/'.length).split('/')[0];
  if (name === '@nestjs') return 'Nest';
  if (name === 'passport' || name === 'passport-jwt' || name === 'passport-strategy') return 'passport';
  if (name === 'jsonwebtoken' || name === 'jws' || name === 'jwa' || name === 'jwks-rsa') return 'jsonwebtoken / jwks-rsa';
  if (['express', 'router', 'body-parser', 'finalhandler', 'send', 'on-finished', 'type-is', 'content-type', 'etag', 'fresh', 'qs', 'raw-body', 'mime-types', 'parseurl', 'path-to-regexp'].includes(name)) {
    return 'Express & its middleware';
  }
  return `other packages (${name}…)`;
}

export function summariseProfile(profile: CpuProfile, top: number): Frame[] {
  const self = new Map<string, { functionName: string; where: string; us: number }>();
  const busyUs = forEachBusySample(profile, (frame, us) => {
    const where = frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = self.get(key) ?? { functionName: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    self.set(key, entry);
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((entry) => ({ functionName: entry.functionName, where: entry.where, selfMs: entry.us / 1000, selfPercent: (100 * entry.us) / busyUs }));
}

/** One frame's (or category's) self time per request in two profiles, and the difference. */
export interface FrameDelta {
  name: string;
  baseUs: number;
  otherUs: number;
  deltaUs: number;
}

/**
 * Where `other` spends more time per request than `base` (e.g. a library mode against `noop`): each profile's self
 * time, as shares of its busy time, scaled to its server CPU per request; by category and by frame, the largest
 * differences first. Start-up is in both profiles and cancels out to within a few tenths of a µs.
 */
export function diffProfiles(base: CpuProfile, baseUsPerReq: number, other: CpuProfile, otherUsPerReq: number, top: number): { categories: FrameDelta[]; frames: FrameDelta[] } {
  const perRequest = (profile: CpuProfile, usPerReq: number, keyOf: (frame: ProfileNode['callFrame']) => string) => {
    const self = new Map<string, number>();
    const busyUs = forEachBusySample(profile, (frame, us) => self.set(keyOf(frame), (self.get(keyOf(frame)) ?? 0) + us));
    return new Map([...self].map(([key, us]) => [key, (us / busyUs) * usPerReq]));
  };
  const compare = (keyOf: (frame: ProfileNode['callFrame']) => string, count: number): FrameDelta[] => {
    const a = perRequest(base, baseUsPerReq, keyOf);
    const b = perRequest(other, otherUsPerReq, keyOf);
    return [...new Set([...a.keys(), ...b.keys()])]
      .map((name) => ({ name, baseUs: a.get(name) ?? 0, otherUs: b.get(name) ?? 0, deltaUs: (b.get(name) ?? 0) - (a.get(name) ?? 0) }))
      .sort((x, y) => y.deltaUs - x.deltaUs)
      .slice(0, count);
  };
  return {
    categories: compare((frame) => categoryOf(frame.url, frame.functionName), Number.POSITIVE_INFINITY),
    frames: compare((frame) => `${frame.functionName || '(anonymous)'} ${frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim(), top),
  };
}

/** `file:///…/node_modules/x/y.js` → `x/y.js`; the repo's own files relative to it; `node:` modules as they are. */
function shorten(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist-bench/');
  if (dist !== -1) return url.slice(dist + '/dist-bench/'.length);
  return url.replace(/^file:\/\//, '');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile.js <file.cpuprofile> [top]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  for (const entry of categoriseProfile(profile)) console.log(`${entry.selfPercent.toFixed(1).padStart(5)} %  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.category}`);
  console.log('');
  const frames = summariseProfile(profile, Number(process.argv[3] ?? 30));
  for (const frame of frames) console.log(`${frame.selfPercent.toFixed(1).padStart(5)} %  ${frame.selfMs.toFixed(0).padStart(6)} ms  ${frame.functionName}  ${frame.where}`);
}
