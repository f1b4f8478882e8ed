import type { EndpointsAuthCounters } from '../../lib/index.js';

/** The counters' refusals as `{ "definition/errorCode": count }` (`-` for no definition), for exact comparisons. */
export function refusalsOf(counters: EndpointsAuthCounters): Record<string, number> {
  return Object.fromEntries(counters.refusals().map(({ definition, errorCode, count }) => [`${definition ?? '-'}/${errorCode}`, count]));
}

/** The counters' passes as `{ definition: count }` (`-` for no definition). */
export function passesOf(counters: EndpointsAuthCounters): Record<string, number> {
  return Object.fromEntries(counters.passes().map(({ definition, count }) => [definition ?? '-', count]));
}
