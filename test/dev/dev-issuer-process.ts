import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BuiltCli, CliRun } from '../cli/cli-kit.js';

/** A running `endpoints-auth dev-issuer`, spawned as a user starts it in a shell. */
export interface RunningDevIssuer {
  /** The JWKS URL it printed. */
  url: string;
  /** What it printed so far (never logged: the tests only compare it). */
  stdout(): string;
  /** Sends `signal` and resolves with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<CliRun>;
}

/** How long the dev issuer may take to print its URL on a loaded machine. */
const START_MS = 60_000;

/**
 * Spawns and tracks `dev-issuer` children, so a file's `afterAll` kills any a failed test left running (`killAll`).
 */
export class DevIssuers {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly cli: BuiltCli) {}

  /** Starts `endpoints-auth dev-issuer …args` and resolves once it prints its URL; rejects if it exits first. */
  start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDevIssuer> {
    const environment = { ...process.env, ...env };
    delete environment.NODE_OPTIONS;
    const child = spawn(process.execPath, [join(this.cli.dir, 'dist/cli/main.js'), 'dev-issuer', ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<CliRun>((resolve) => {
      child.on('close', (code) => {
        this.children.delete(child);
        resolve({ code, stdout, stderr });
      });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`dev-issuer printed no URL within ${START_MS} ms`));
      }, START_MS);
      const look = () => {
        const url = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/jwks\.json)$/m.exec(stdout)?.[1];
        if (url === undefined || !stdout.includes('Stop with Ctrl-C')) return;
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve({
          url,
          stdout: () => stdout,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      };
      child.stdout!.on('data', look);
      void exited.then((run) => {
        clearTimeout(timer);
        reject(Object.assign(new Error(`dev-issuer exited with ${run.code} before printing its URL`), { run }));
      });
    });
  }

  /** Kills every child still running (a test that failed half-way). */
  killAll(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }
}
