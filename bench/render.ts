// Re-renders a results JSON (bench/results/<timestamp>.json) as Markdown with the current report code, e.g. after
// the report gains a column: the measurements are read, never re-measured. Prints the table; --write replaces the
// .md next to the JSON. Usage: node dist-bench/bench/render.js bench/results/<timestamp>.json [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { type BenchReport, judge, markdown, rate } from './report.js';

const file = process.argv[2];
if (!file?.endsWith('.json')) throw new Error('usage: render.js <results.json> [--write]');
const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
// Ratios and verdicts are derived data: recomputed from the measured rows.
report.http = rate(report.http);
// Results written before the signature was timed in the run are judged against the 22.5 µs docs/performance.md quotes.
report.signatureUs ??= { RS256: 22.5, ES256: 0 };
report.targets = judge(report.http, report.micro, report.memory, report.signatureUs);
const table = markdown(report);
process.stdout.write(`${table}\n`);
if (process.argv.includes('--write')) writeFileSync(file.replace(/\.json$/, '.md'), `${table}\n`);
