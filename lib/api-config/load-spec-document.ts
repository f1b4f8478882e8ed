import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { jsonErrorLine } from './json-error-line.util.js';
import { SpecError } from './spec-error.js';

/** A parsed spec and how to name it in error messages. */
export interface SpecDocument {
  source: string;
  document: Record<string, unknown>;
}

/** Reads a spec given as a path (YAML or JSON) or as an already parsed object. */
export function loadSpecDocument(spec: unknown): SpecDocument {
  if (typeof spec === 'string' && spec.trim() !== '') return { source: spec, document: readSpecFile(spec) };
  if (isObject(spec)) return { source: 'spec object', document: spec };
  throw new SpecError('options', `"spec" must be a file path or a parsed OpenAPI document, got ${spec === '' ? 'an empty string' : describe(spec)}`);
}

function readSpecFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'file unreadable';
    throw new SpecError(path, `${reason} (${(error as Error).message})`);
  }
  const parsed = path.endsWith('.json') ? parseJson(path, text) : parseYaml(path, text);
  if (!isObject(parsed)) throw new SpecError(path, `the document must be a mapping, got ${describe(parsed)}`);
  return parsed;
}

function parseJson(path: string, text: string): unknown {
  const json = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(json);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new SpecError(path, `invalid JSON at line ${jsonErrorLine(json, (error as Error).message)}: ${message}`);
  }
}

function parseYaml(path: string, text: string): unknown {
  const error = yamlErrorOf(text);
  if (error) throw new SpecError(path, `invalid YAML${error.line ? ` at line ${error.line}` : ''}: ${error.message}`);
  // `merge` keeps `<<: *defaults` working, as YAML 1.1 tools (and most OpenAPI specs) expect.
  return parseDocument(text, { merge: true }).toJS();
}

/** The first YAML syntax error of `text`, with its 1-based line. */
function yamlErrorOf(text: string): { line?: number; message: string } | undefined {
  const lineCounter = new LineCounter();
  const error = parseDocument(text, { merge: true, lineCounter, prettyErrors: false }).errors[0];
  if (!error) return undefined;
  return { line: lineCounter.linePos(error.pos[0]).line, message: error.message.split('\n')[0] };
}

/** True for a plain mapping (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value's type for error messages (never the value itself). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
