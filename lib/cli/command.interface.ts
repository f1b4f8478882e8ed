/** Where a command writes; the process's streams in `main`, so the output is exactly what a user sees. */
export interface CommandIo {
  /** Writes to stdout (the command's answer). */
  out(text: string): void;
  /** Writes to stderr (errors, hints). */
  err(text: string): void;
}

/** One subcommand of `endpoints-auth`: its one-line summary, its help text and what it does (returns the exit code). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CommandIo): Promise<number>;
}
