/**
 * A problem in the spec found at start-up; the message names the file (or "spec object"), the place and the problem.
 * @publicApi
 */
export class SpecError extends Error {
  constructor(source: string, problem: string) {
    super(`nestjs-endpoints-auth: ${source}: ${problem}`);
    this.name = 'SpecError';
  }
}
