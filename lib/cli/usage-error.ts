/** Exit codes of the CLI: the answer was yes, the answer was no, or the command could not run as asked. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/**
 * Bad input from the user (an unknown option, a missing argument, an unreadable file, nothing on stdin): printed
 * without a stack trace, exit code 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
