import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { describe, isObject } from './load-spec-document.js';
import { protoField } from './proto-field.js';
import { lastMatchingRule, selectorPatterns } from './selector.util.js';
import { SpecError } from './spec-error.js';

/**
 * One rule of a service configuration's `usage.rules`: the methods its selector names and whether they may be called
 * without an API key (`allow_unregistered_calls`).
 * @publicApi
 */
export interface UsageRule {
  /** The selector as written, for messages. */
  selector: string;
  /** Its comma-separated patterns: `*`, `pkg.Service.*` or a full method name. */
  patterns: readonly string[];
  /** Whether the methods may be called without an API key [false, as ESP]. */
  allowUnregisteredCalls: boolean;
}

/**
 * A service configuration's `usage.rules`, or `undefined` when it has neither `usage` nor `control` — a configuration
 * written by hand and never run behind Service Control, where ESP checks no key. Behind Service Control (the
 * configuration Service Management serves has `control.environment`), ESP requires a key for every method a rule
 * does not allow (`allow_unregistered_calls: true`, or its proto3 JSON name `allowUnregisteredCalls`).
 */
export function readUsageRules(document: Record<string, unknown>, source: string): UsageRule[] | undefined {
  const usage = document['usage'];
  if (usage === undefined && document['control'] === undefined) return undefined;
  if (usage === undefined) return [];
  if (!isObject(usage)) throw new SpecError(source, `usage must be a mapping, got ${describe(usage)}`);
  const raw = usage['rules'] ?? [];
  if (!Array.isArray(raw)) throw new SpecError(source, `usage.rules must be a list, got ${describe(raw)}`);
  return raw.map((rule: unknown, index) => {
    const where = `usage.rules[${index}]`;
    if (!isObject(rule)) throw new SpecError(source, `${where} must be a mapping, got ${describe(rule)}`);
    const field = protoField(rule, 'allow_unregistered_calls', where, source);
    const allow = field.value ?? false;
    if (typeof allow !== 'boolean') throw new SpecError(source, `${where}: ${field.name} must be a boolean, got ${describe(allow)}`);
    return { selector: String(rule['selector']), patterns: selectorPatterns(rule['selector'], where, source), allowUnregisteredCalls: allow };
  });
}

/** Whether a method (`pkg.Service.Method`; `''` for a route no method serves) needs an API key: the last matching rule says. */
export function needsApiKey(usage: readonly UsageRule[] | undefined, method: string): boolean {
  if (!usage) return false;
  return !lastMatchingRule(usage, method)?.allowUnregisteredCalls;
}

/** `requirement` with an API key asked for as well when `needed` (read from ESP's default locations). */
export function withApiKey(requirement: SecurityRequirement | undefined, needed: boolean): SecurityRequirement | undefined {
  if (!needed) return requirement;
  return { ...(requirement ?? { providers: [], optional: false }), apiKey: true };
}
