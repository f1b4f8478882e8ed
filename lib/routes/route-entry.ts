import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../api-config/resolved-spec.js';
import type { HttpRoute } from './http-routes.js';
import { type RouteSyntax, type RouteVariant, routeVariants } from './route-path.js';
import { type CaseFold, candidatesOf, concretePath, coversAll, hasRest, matchesSpecPath, normalizedPath } from './route-spec-match.js';
import { operationMethod, requirementAmong, unionOf } from './spec-operation.js';

/** How a route was decided at start-up: by its decorators, from the spec paths it can serve, or not at all. */
export type RouteDecision =
  | { kind: 'declared'; requirement: SecurityRequirement }
  | { kind: 'spec'; alignments: Alignment[] }
  | { kind: 'unresolved'; candidates: SpecPath[] };

/** One way the spec may describe a route's path (with or without the global prefix and version), read as variants. */
export interface Alignment {
  /** Every parameter name the variants bind, sorted. */
  names: string[];
  variants: { variant: RouteVariant; candidates: SpecPath[] }[];
}

/**
 * What a method of a route requires: settled at start-up (`requirement`, and the spec path that decided, if one
 * did: one without an operation for the method when none has one), or `placed` per request from the parameters the
 * router decoded.
 */
export type MethodOutcome =
  | { kind: 'settled'; requirement: SecurityRequirement | undefined; decidedBy: SpecPath | undefined }
  | { kind: 'placed' };

/** Marks a request whose spec path cannot be told: it gets the fail-closed union of the route's candidates. */
const UNRESOLVED = Symbol('unresolved');

/**
 * One route of the table: decided once per method; per request only a route whose answer depends on a parameter (a
 * more specific literal spec path under a parameterised route, or a wildcard) looks at the parameters the router
 * decoded.
 */
export class RouteEntry {
  /** Outcomes by request method, filled as methods are seen (the HTTP parser knows a fixed set of methods). */
  private readonly outcomes = new Map<string, MethodOutcome>();
  /** The fail-closed unions by request method, made on first need. */
  private readonly unions = new Map<string, SecurityRequirement | undefined>();

  constructor(
    readonly route: HttpRoute,
    readonly decision: RouteDecision,
    private readonly spec: ResolvedSpec,
    private readonly fold: CaseFold,
  ) {
    for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]) this.outcomeFor(method);
  }

  /** What a request with `method` and the router's decoded `params` requires. */
  requirementFor(method: string, params: Readonly<Record<string, unknown>> | undefined): SecurityRequirement | undefined {
    const decision = this.decision;
    if (decision.kind === 'declared') return decision.requirement;
    if (decision.kind === 'unresolved') return this.unionFor(method);
    const outcome = this.outcomeFor(method);
    if (outcome.kind === 'settled') return outcome.requirement;
    const matching = matchingOf(decision.alignments, params ?? {}, this.fold, this.spec.paths);
    return matching === UNRESOLVED ? this.unionFor(method) : requirementAmong(this.spec, matching, method);
  }

  /** What `method` requires when it is settled at start-up, or that it is placed per request. */
  outcomeFor(method: string): MethodOutcome {
    let outcome = this.outcomes.get(method);
    if (!outcome) this.outcomes.set(method, (outcome = this.settle(method)));
    return outcome;
  }

  /** The spec paths a request of this route may be placed on (for a wildcard route, every spec path). */
  candidates(): SpecPath[] {
    const decision = this.decision;
    if (decision.kind === 'declared') return [];
    return decision.kind === 'unresolved' ? decision.candidates : candidatesIn(decision.alignments, this.spec.paths);
  }

  /** Every requirement this route may answer: what a request that cannot be placed must satisfy. */
  possible(): (SecurityRequirement | undefined)[] {
    const decision = this.decision;
    if (decision.kind === 'declared') return [decision.requirement];
    const operations = this.candidates().flatMap((path) => [...path.methods.values()]);
    return [this.spec.apiRequirement, ...operations.map((requirement) => requirement ?? this.spec.apiRequirement)];
  }

  private settle(method: string): MethodOutcome {
    const decision = this.decision;
    if (decision.kind === 'declared') return { kind: 'settled', requirement: decision.requirement, decidedBy: undefined };
    if (decision.kind === 'unresolved') return { kind: 'settled', requirement: this.unionFor(method), decidedBy: undefined };
    return settleMethod(decision.alignments, this.spec, method, this.fold);
  }

  private unionFor(method: string): SecurityRequirement | undefined {
    // Cached: for a wildcard route the union spans every spec path, and requests choose when it is needed.
    if (!this.unions.has(method)) this.unions.set(method, unionOf(this.possible()));
    return this.unions.get(method);
  }
}

/**
 * Every spec path a request of the route may be placed on: the candidates of its variants, and for a route with a
 * wildcard every spec path, since `..` in its value may lead anywhere.
 */
export function candidatesIn(alignments: readonly Alignment[], paths: readonly SpecPath[]): SpecPath[] {
  if (alignments.some((alignment) => alignment.variants.some(({ variant }) => hasRest(variant)))) return [...paths];
  return [...new Set(alignments.flatMap((alignment) => alignment.variants.flatMap(({ candidates }) => candidates)))];
}

/**
 * Reads a route's paths against the spec: for each alignment (as registered, without the global prefix, without the
 * version, without both) and each variant, the spec paths it may serve. A route whose path cannot be read, or binds a
 * name twice (routers keep one value per name, so the path cannot be rebuilt), is decided as a whole: fail closed.
 */
export function decideRoute(route: HttpRoute, spec: ResolvedSpec, syntax: RouteSyntax, fold: CaseFold): RouteDecision {
  const alignments: Alignment[] = [];
  if (spec.paths.length === 0) return { kind: 'spec', alignments };
  for (const path of route.alignments) {
    const variants = routeVariants(path, syntax);
    if (!variants) return { kind: 'unresolved', candidates: spec.paths.filter((specPath) => specPath.methods.size > 0) };
    if (variants.some((variant) => variant.repeats)) {
      const candidates = variants.flatMap((variant) => candidatesOf(variant, spec.paths, fold));
      return { kind: 'unresolved', candidates: [...new Set(candidates)] };
    }
    alignments.push({
      names: [...new Set(variants.flatMap((variant) => variant.names))].sort(),
      variants: variants.map((variant) => ({ variant, candidates: candidatesOf(variant, spec.paths, fold) })),
    });
  }
  return { kind: 'spec', alignments };
}

/**
 * Settles `method` at start-up when no request can change the answer. The first alignment (as registered, then
 * without the prefix, the version, both) that some spec path may match decides, as for a request: if its most specific
 * path with an operation for the method matches every path of every variant, that operation is the answer (a more
 * specific path without one never takes the request: ESPv2 tries every operation before it answers 405); if none has
 * one and every request matches a path, the request fails closed (ESP: 405). A route with a wildcard is always placed
 * per request: its value is a path, which ESP normalises before matching.
 */
function settleMethod(alignments: readonly Alignment[], spec: ResolvedSpec, method: string, fold: CaseFold): MethodOutcome {
  if (alignments.some((alignment) => alignment.variants.some(({ variant }) => hasRest(variant)))) return { kind: 'placed' };
  for (const alignment of alignments) {
    if (alignment.variants.every(({ candidates }) => candidates.length === 0)) continue;
    const key = operationMethod([...new Set(alignment.variants.flatMap(({ candidates }) => candidates))], method);
    const listing = alignment.variants.map(({ candidates }) => candidates.filter((path) => path.methods.has(key)));
    const top = listing.find((paths) => paths.length > 0)?.[0];
    // What decides each variant: its most specific path with the method, or, none having it, its most specific path.
    const deciders = alignment.variants.map(({ candidates }, index) => (top ? listing[index][0] : candidates[0]));
    const decider = deciders[0];
    const settled = decider && deciders.every((path, index) => path === decider && coversAll(alignment.variants[index].variant, decider, fold));
    if (!settled) return { kind: 'placed' };
    const paths = top ? [top] : [...new Set(alignment.variants.flatMap(({ candidates }) => candidates))];
    return { kind: 'settled', requirement: requirementAmong(spec, paths, method), decidedBy: decider };
  }
  return { kind: 'settled', requirement: spec.apiRequirement, decidedBy: undefined };
}

/**
 * The spec paths a request matches, most specific first, in the first alignment where any matches, from the
 * parameters the router decoded; `UNRESOLVED` when they cannot be told. A wildcard's value that normalises to another
 * path is matched, as ESP would match it, against every spec path.
 */
function matchingOf(
  alignments: readonly Alignment[],
  params: Readonly<Record<string, unknown>>,
  fold: CaseFold,
  allPaths: readonly SpecPath[],
): SpecPath[] | typeof UNRESOLVED {
  for (const alignment of alignments) {
    const key = alignment.names.filter((name) => Object.hasOwn(params, name) && params[name] !== undefined).join('\0');
    const chosen = alignment.variants.filter(({ variant }) => variant.key === key);
    if (chosen.length === 0) return UNRESOLVED;
    let matching: SpecPath[] | undefined;
    for (const { variant, candidates } of chosen) {
      const raw = concretePath(variant, params);
      const path = hasRest(variant) ? normalizedPath(raw) : raw;
      const found = (path === raw ? candidates : allPaths).filter((candidate) => matchesSpecPath(candidate, path, fold));
      // Two variants with the same parameters that match differently: which one the router took cannot be told.
      if (matching && (found.length !== matching.length || found.some((entry, index) => entry !== matching?.[index]))) return UNRESOLVED;
      matching = found;
    }
    if (matching && matching.length > 0) return matching;
  }
  return [];
}
