// The load generator (autocannon, in the orchestrator's process, never the server's) and the CPU meters read around
// each measured window: the server's utime+stime from /proc/<pid>/stat, the whole machine's busy time from
// /proc/stat (to see how much other work shared the machine), and this process's own CPU.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (100 on Linux, asked once). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time of one process, all its threads, in µs (utime + stime of /proc/<pid>/stat). */
export function processCpuUs(pid: number): number {
  // The command name may hold spaces or parentheses: fields are counted after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After ')': state is field 3 of proc(5), so utime (14) and stime (15) are at 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Busy and total CPU time of the machine, in µs summed over all cores (/proc/stat's first line). */
export function machineCpuUs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return { busy: (busy * 1e6) / CLOCK_TICKS, total: ((busy + idle + (iowait || 0)) * 1e6) / CLOCK_TICKS };
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** The token of every request, or a function giving each request's token (the unique pool). */
  token?: string | (() => string);
}

export interface LoadResult {
  /** 2xx responses per second of wall time. */
  rps: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wallSeconds: number;
  /** Latency percentiles in ms, from every 2xx response's own time (autocannon's histogram rounds to whole ms). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One autocannon run of `GET /hello` at a fixed number of connections. */
export function load(options: LoadOptions): Promise<LoadResult> {
  const { token } = options;
  const requests: autocannon.Request[] | undefined =
    typeof token === 'function'
      ? [
          {
            method: 'GET',
            path: '/hello',
            // A request rebuilt every time with the next token; autocannon copies the headers before this runs.
            setupRequest: (request) => {
              request.headers = { ...request.headers, authorization: `Bearer ${token()}` };
              return request;
            },
          },
        ]
      : undefined;
  const headers = typeof token === 'string' ? { authorization: `Bearer ${token}` } : undefined;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      { url: options.url, connections: options.connections, duration: options.seconds, headers, requests },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const wallSeconds = (performance.now() - started) / 1000;
        const sorted = latencies.subarray(0, count).sort();
        const at = (q: number) => (count === 0 ? 0 : sorted[Math.min(count - 1, Math.floor(q * count))]);
        resolve({
          rps: count / wallSeconds,
          responses2xx: count,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          wallSeconds,
          p50: at(0.5),
          p90: at(0.9),
          p99: at(0.99),
          max: count === 0 ? 0 : sorted[count - 1],
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
  });
}
