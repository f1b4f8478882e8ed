import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every `debug` line it is given (the refusal log's) and drops the other levels. */
export class DebugCapture implements LoggerService {
  readonly lines: string[] = [];
  log() {}
  error() {}
  warn() {}
  verbose() {}
  debug(message: unknown) {
    this.lines.push(String(message));
  }
}
