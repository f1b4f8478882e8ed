// Child processes of the benchmark (key server, app, micro, memory): fork one compiled script with an IPC channel,
// wait for one of its messages, and stop every child this run started (by pid) when the run ends or is interrupted.
import { type ChildProcess, fork } from 'node:child_process';

const started = new Set<ChildProcess>();

/** Forks `script` (a file next to this one in dist-bench/bench) with stdout/stderr passed through. */
export function forkScript(
  script: string,
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {},
): ChildProcess {
  const child = fork(new URL(script, import.meta.url), args, {
    env: { ...process.env, ...options.env },
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** The next message of `type` from `child`; rejects if the child exits first or `timeoutMs` passes. */
export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (${signal ?? code}) before sending "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends a message of `type` (with `payload`'s fields) and waits for the reply of the same type. */
export function ask<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs = 5000, payload: object = {}): Promise<T> {
  const reply = nextMessage<T>(child, type, timeoutMs);
  child.send({ ...payload, type });
  return reply;
}

/** Resolves when `child` has exited; asks it to stop (IPC), then SIGTERM, then SIGKILL if it lingers. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGTERM'), graceMs);
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs * 2);
  await exited;
  clearTimeout(timer);
  clearTimeout(killer);
}

/** Kills every child this run started and that is still alive (each by its own pid). */
export function killAllStarted(): void {
  for (const child of started) child.kill('SIGTERM');
}
