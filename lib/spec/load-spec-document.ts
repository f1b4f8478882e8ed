import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { SpecError } from './spec-error.js';

/** A parsed spec and how to name it in error messages. */
export interface SpecDocument {
  source: string;
  document: Record<string, unknown>;
}

/** Reads a spec given as a path (YAML or JSON) or as an already parsed object. */
export function loadSpecDocument(spec: unknown): SpecDocument {
  if (typeof spec === 'string') return { source: spec, document: readSpecFile(spec) };
  if (isObject(spec)) return { source: 'spec object', document: spec };
  throw new SpecError('options', `"spec" must be a file path or a parsed OpenAPI document, got ${describe(spec)}`);
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
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8 reports a character offset; people look for a line.
    const position = /position (\d+)/.exec((error as Error).message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    throw new SpecError(path, `invalid JSON${line ? ` at line ${line}` : ''}: ${(error as Error).message}`);
  }
}

function parseYaml(path: string, text: string): unknown {
  const document = parseDocument(text, { prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos?.[0].line;
    throw new SpecError(path, `invalid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}`);
  }
  return document.toJS();
}

/** True for a plain mapping (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value's type for error messages (never the value itself). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
