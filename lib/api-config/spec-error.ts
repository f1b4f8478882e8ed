/**
 * A problem in the spec or the options, found at start-up; the message names the file ("spec object", "options"),
 * the place and the problem.
 * @publicApi
 */
export class SpecError extends Error {
  constructor(source: string, problem: string) {
    super(`nestjs-endpoints-auth: ${source}: ${problem}`);
    this.name = 'SpecError';
  }
}
