const UNITS: [name: string, seconds: number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** A span of seconds in words, in its largest whole unit ("3 minutes", "1 hour", "45 seconds"). */
export function describeDuration(seconds: number): string {
  const span = Math.abs(Math.trunc(seconds));
  const [name, size] = UNITS.find(([, size]) => span >= size) ?? UNITS[UNITS.length - 1]!;
  const count = Math.floor(span / size);
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** A JWT time claim as an ISO date, for the reader to compare with their own clock. */
export function describeInstant(epochSeconds: number): string {
  const date = new Date(Math.trunc(epochSeconds) * 1000);
  return Number.isNaN(date.getTime()) ? String(epochSeconds) : date.toISOString().replace('.000Z', 'Z');
}
