import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { lastMatchingRule } from './selector.util.js';
import { describe, isObject } from './load-spec-document.js';
import { compareSpecificity } from './path-template.util.js';
import { protoField } from './proto-field.js';
import type { ConfigRule, SpecPath } from './resolved-spec.js';
import { type UsageRule, needsApiKey, withApiKey } from './read-usage-rules.js';
import { SpecError } from './spec-error.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** A full method name; a component may start with a digit, as generated API names do (`1.bookstore_….GetShelf`). */
const NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/;

/** One HTTP binding of a gRPC method: the method it serves, the HTTP method and the path template. */
interface Binding {
  selector: string;
  method: string;
  template: string;
}

/**
 * A service configuration's `http.rules` (`google.api.http`, as ESPv2 reads them to transcode) as spec paths: each
 * binding's path template with, for its HTTP method, what the gRPC method it serves requires under `rules` (and an
 * API key where `usage` asks for one). HTTP
 * routes are matched against these as against an OpenAPI document's paths (most specific first).
 */
export function readHttpRules(http: unknown, rules: readonly ConfigRule[], source: string, usage?: readonly UsageRule[]): SpecPath[] {
  if (http === undefined) return [];
  if (!isObject(http)) throw new SpecError(source, `http must be a mapping, got ${describe(http)}`);
  const raw = http['rules'] ?? [];
  if (!Array.isArray(raw)) throw new SpecError(source, `http.rules must be a list, got ${describe(raw)}`);
  const byTemplate = new Map<string, { path: string; methods: Map<string, SecurityRequirement | undefined>; selectors: Map<string, string> }>();
  raw.forEach((rule: unknown, index) => {
    const where = () => `http.rules[${index}]`;
    for (const binding of readRule(rule, `http.rules[${index}]`, source)) {
      const template = openApiTemplate(binding.template, source);
      let entry = byTemplate.get(template);
      if (!entry) byTemplate.set(template, (entry = { path: binding.template, methods: new Map(), selectors: new Map() }));
      const bound = entry.selectors.get(binding.method);
      if (bound === binding.selector) continue;
      if (bound !== undefined) {
        // ESPv2 refuses such a configuration ("Duplicated pattern"): which method a request means cannot be told.
        throw new SpecError(
          source,
          `${where()}: ${binding.method} ${binding.template} is bound to both ${bound} and ${binding.selector}; a path and HTTP method may serve one method only`,
        );
      }
      // A method no rule names needs no token (ESP), whatever the `*` rule's API level says of unbound routes.
      const requirement = lastMatchingRule(rules, binding.selector)?.requirement ?? { providers: [], optional: false };
      entry.methods.set(binding.method, withApiKey(requirement, needsApiKey(usage, binding.selector)));
      entry.selectors.set(binding.method, binding.selector);
    }
  });
  return [...byTemplate]
    .map(([template, entry]) => ({
      path: entry.path,
      templates: [template],
      methods: entry.methods,
      selectors: entry.selectors,
    }))
    .sort((a, b) => compareSpecificity(a.templates[0], b.templates[0]));
}

/** One rule: its own binding and those of `additional_bindings` / `additionalBindings` (which may not nest further). */
function readRule(rule: unknown, where: string, source: string): Binding[] {
  if (!isObject(rule)) throw new SpecError(source, `${where} must be a mapping, got ${describe(rule)}`);
  const selector = rule['selector'];
  if (typeof selector !== 'string' || !NAME.test(selector)) {
    throw new SpecError(source, `${where}: selector must be a full method name (package.Service.Method), got ${describe(selector)}`);
  }
  const bindings = [readBinding(rule, selector, where, source)];
  const field = protoField(rule, 'additional_bindings', where, source);
  const additional = field.value ?? [];
  if (!Array.isArray(additional)) throw new SpecError(source, `${where}: ${field.name} must be a list, got ${describe(additional)}`);
  additional.forEach((extra: unknown, index) => {
    const at = `${where}.${field.name}[${index}]`;
    if (!isObject(extra)) throw new SpecError(source, `${at} must be a mapping, got ${describe(extra)}`);
    const nested = protoField(extra, 'additional_bindings', at, source);
    if (nested.value !== undefined) throw new SpecError(source, `${at}: ${nested.name} may not nest`);
    bindings.push(readBinding(extra, selector, at, source));
  });
  return bindings;
}

/** Exactly one of get/put/post/delete/patch/custom, with a path template starting with `/`. */
function readBinding(rule: Record<string, unknown>, selector: string, where: string, source: string): Binding {
  const found: Binding[] = [];
  for (const method of METHODS) {
    if (rule[method] !== undefined) found.push({ selector, method: method.toUpperCase(), template: pathOf(rule[method], `${where}.${method}`, source) });
  }
  const custom = rule['custom'];
  if (custom !== undefined) {
    if (!isObject(custom) || typeof custom['kind'] !== 'string' || !/^[A-Za-z]+$/.test(custom['kind'])) {
      throw new SpecError(source, `${where}.custom must be a mapping with a kind (an HTTP method) and a path, got ${describe(custom)}`);
    }
    found.push({ selector, method: custom['kind'].toUpperCase(), template: pathOf(custom['path'], `${where}.custom.path`, source) });
  }
  if (found.length !== 1) {
    throw new SpecError(source, `${where} must have exactly one of get, put, post, delete, patch or custom; found ${found.length}`);
  }
  return found[0];
}

function pathOf(value: unknown, where: string, source: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new SpecError(source, `${where} must be a path template starting with "/", got ${describe(value)}`);
  }
  return value;
}

/**
 * A `google.api.http` template (`/v1/{name=shelves/*}/books/{book}:publish`) in the OpenAPI form the matcher reads:
 * `*` and `{field}` are one segment (`{_}`), `**` the rest, `{field=segments}` its segments, a `:verb` stays on the
 * last segment.
 */
function openApiTemplate(template: string, source: string): string {
  const out: string[] = [];
  let index = 1;
  while (index <= template.length) {
    let segment = '';
    while (index < template.length && template[index] !== '/') {
      if (template[index] === '{') {
        const end = template.indexOf('}', index);
        if (end === -1) throw new SpecError(source, `http rule path "${template}" has an unclosed {`);
        const [, inner] = template.slice(index + 1, end).split('=');
        segment += inner === undefined ? '{_}' : inner.split('/').map(wildcard).join('/');
        index = end + 1;
      } else {
        segment += template[index++];
      }
    }
    out.push(wildcard(segment));
    index++;
  }
  return '/' + out.filter((segment) => segment !== '').join('/');
}

function wildcard(segment: string): string {
  if (segment === '*') return '{_}';
  if (segment.startsWith('*:')) return `{_}${segment.slice(1)}`;
  return segment;
}
