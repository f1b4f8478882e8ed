import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../spec/resolved-spec.js';
import type { HttpRoute } from './http-routes.js';
import { type RouteSyntax, type RouteVariant, routeVariants } from './route-path.js';
import { type CaseFold, candidatesOf, concretePath, coversAll, hasRest, matchesSpecPath, normalizedPath } from './route-spec-match.js';
import { operationRequirement, unionOf } from './spec-operation.js';

/** How a route was decided at start-up: by its decorators, by one spec path (or none), or per request. */
export type RouteDecision =
  | { kind: 'declared'; requirement: SecurityRequirement }
  | { kind: 'spec'; specPath: SpecPath | undefined }
  | { kind: 'parameters'; alignments: Alignment[] }
  | { kind: 'unresolved'; candidates: SpecPath[] };

/** One way the spec may describe a route's path (with or without the global prefix and version), read as variants. */
interface Alignment {
  /** Every parameter name the variants bind, sorted. */
  names: string[];
  variants: { variant: RouteVariant; candidates: SpecPath[] }[];
}

/** Marks a request whose spec path cannot be told: it gets the fail-closed union of the route's candidates. */
const UNRESOLVED = Symbol('unresolved');

/**
 * One route of the table: decided once at start-up; per request only a route whose answer depends on a parameter
 * (a literal spec path under a parameterised route) looks at the parameters the router decoded.
 */
export class RouteEntry {
  /** Requirements by request method, filled as methods are seen (the parser knows a fixed set of methods). */
  private readonly byMethod = new Map<string, SecurityRequirement | undefined>();
  /** The fail-closed unions by request method, made on first need. */
  private readonly unions = new Map<string, SecurityRequirement | undefined>();

  constructor(
    readonly route: HttpRoute,
    readonly decision: RouteDecision,
    private readonly spec: ResolvedSpec,
    private readonly fold: CaseFold,
  ) {
    if (decision.kind === 'declared') return;
    for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]) this.byMethod.set(method, this.staticFor(method));
  }

  /** What a request with `method` and the router's decoded `params` requires. */
  requirementFor(method: string, params: Readonly<Record<string, unknown>> | undefined): SecurityRequirement | undefined {
    const decision = this.decision;
    if (decision.kind === 'declared') return decision.requirement;
    if (decision.kind !== 'parameters') {
      if (this.byMethod.has(method)) return this.byMethod.get(method);
      const requirement = this.staticFor(method);
      this.byMethod.set(method, requirement);
      return requirement;
    }
    const winner = winnerOf(decision.alignments, params ?? {}, this.fold, this.spec.paths);
    return winner === UNRESOLVED ? this.unionFor(method) : operationRequirement(this.spec, winner, method);
  }

  /** Every requirement this route may answer for `method`: what a request that cannot be placed must satisfy. */
  possibleFor(method: string): (SecurityRequirement | undefined)[] {
    const decision = this.decision;
    if (decision.kind === 'declared') return [decision.requirement];
    if (decision.kind === 'spec') return [operationRequirement(this.spec, decision.specPath, method)];
    const candidates = decision.kind === 'unresolved' ? decision.candidates : candidatesIn(decision.alignments, this.spec.paths);
    return [...new Set(candidates)].map((path) => operationRequirement(this.spec, path, method)).concat(this.spec.apiRequirement);
  }

  private staticFor(method: string): SecurityRequirement | undefined {
    const decision = this.decision;
    if (decision.kind === 'spec') return operationRequirement(this.spec, decision.specPath, method);
    return this.unionFor(method);
  }

  private unionFor(method: string): SecurityRequirement | undefined {
    // Cached: for a wildcard route the union spans every spec path, and requests choose when it is needed.
    if (this.unions.has(method)) return this.unions.get(method);
    const union = unionOf(this.possibleFor(method));
    this.unions.set(method, union);
    return union;
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
 * Decides a route from the spec: the first alignment some spec path may match decides; when its most specific
 * candidate matches every path the route serves, that is the answer for good, otherwise each request is placed. A
 * route with a wildcard is always placed per request: its value is a path, which ESP normalises before matching
 * (`/files/x/../secret` is `/files/secret` to ESP and to the file server behind the handler).
 */
export function decideRoute(route: HttpRoute, spec: ResolvedSpec, syntax: RouteSyntax, fold: CaseFold): RouteDecision {
  if (spec.paths.length === 0) return { kind: 'spec', specPath: undefined };
  const alignments: Alignment[] = [];
  for (const path of route.alignments) {
    const variants = routeVariants(path, syntax);
    if (!variants) return { kind: 'unresolved', candidates: spec.paths.filter((specPath) => specPath.methods.size > 0) };
    if (variants.some((variant) => variant.repeats)) {
      // One value per name reaches the guard: which spec path the request meant cannot be told, so fail closed.
      const candidates = variants.flatMap((variant) => candidatesOf(variant, spec.paths, fold));
      return { kind: 'unresolved', candidates: [...new Set(candidates)] };
    }
    alignments.push({
      names: [...new Set(variants.flatMap((variant) => variant.names))].sort(),
      variants: variants.map((variant) => ({ variant, candidates: candidatesOf(variant, spec.paths, fold) })),
    });
  }
  if (alignments.some((alignment) => alignment.variants.some(({ variant }) => hasRest(variant)))) {
    return { kind: 'parameters', alignments };
  }
  for (const alignment of alignments) {
    const top = alignment.variants.find(({ candidates }) => candidates.length > 0)?.candidates[0];
    if (!top) continue;
    // A variant without candidates, or whose best candidate is another, is placed per request.
    const settled = alignment.variants.every(({ variant, candidates }) => candidates[0] === top && coversAll(variant, top, fold));
    return settled ? { kind: 'spec', specPath: top } : { kind: 'parameters', alignments };
  }
  return { kind: 'spec', specPath: undefined };
}

/**
 * The spec path a request matches, from the parameters the router decoded; `UNRESOLVED` when it cannot be told. A
 * wildcard's value that normalises to another path is matched, as ESP would match it, against every spec path.
 */
function winnerOf(
  alignments: readonly Alignment[],
  params: Readonly<Record<string, unknown>>,
  fold: CaseFold,
  allPaths: readonly SpecPath[],
): SpecPath | undefined | typeof UNRESOLVED {
  for (const alignment of alignments) {
    const key = alignment.names.filter((name) => Object.hasOwn(params, name) && params[name] !== undefined).join('\0');
    const chosen = alignment.variants.filter(({ variant }) => variant.key === key);
    if (chosen.length === 0) return UNRESOLVED;
    let winner: SpecPath | undefined | null = null;
    for (const { variant, candidates } of chosen) {
      const raw = concretePath(variant, params);
      const path = hasRest(variant) ? normalizedPath(raw) : raw;
      const found = (path === raw ? candidates : allPaths).find((candidate) => matchesSpecPath(candidate, path, fold));
      if (winner !== null && found !== winner) return UNRESOLVED;
      winner = found;
    }
    if (winner) return winner;
  }
  return undefined;
}
