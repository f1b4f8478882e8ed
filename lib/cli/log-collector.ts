import { Logger, type LoggerService } from '@nestjs/common';

/** One line the library logged while the CLI ran. */
export interface CollectedLine {
  level: 'log' | 'warn' | 'error';
  message: string;
}

/**
 * Takes the library's log lines instead of Nest's console logger: a command prints its own report, in which the
 * spec's warnings are listed and a key fetch's failure becomes the reason of a rejection.
 */
export class LogCollector implements LoggerService {
  readonly lines: CollectedLine[] = [];

  /** Routes every Nest `Logger` of the process to this collector. */
  install(): this {
    Logger.overrideLogger(this);
    return this;
  }

  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }

  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }

  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }

  debug(): void {
    // Per-request debug lines say nothing the command does not print itself.
  }

  verbose(): void {
    // As debug.
  }

  /** The messages of one level, in order. */
  messages(level: CollectedLine['level']): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}
