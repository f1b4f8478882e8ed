/**
 * A route path as the router reads it (path-to-regexp 8 for Express, find-my-way for Fastify), split into the
 * variants it serves (an optional group or parameter gives two) and their segments, so that the spec paths a route
 * can serve are found at start-up and a concrete path is rebuilt from the parameters the router decoded.
 */

/** Literal text, a parameter (within one segment) or a wildcard (the rest of the path, over segments). */
export type RoutePart = { text: string } | { param: string } | { rest: string };

/** One variant of a route path: its segments (each a list of parts) and the parameters it binds. */
export interface RouteVariant {
  segments: RoutePart[][];
  /** The names of the parameters this variant binds, unique and sorted. */
  names: readonly string[];
  /** `names` joined by NUL: how a request's variant is found from the parameters the router set. */
  key: string;
  /**
   * Whether a name is bound twice (`/orgs/:id/projects/:id`, through a `RouterModule` path): both routers keep only
   * one value per name, so the path cannot be rebuilt from the parameters.
   */
  repeats: boolean;
}

/** Which router's syntax a path is written in. */
export type RouteSyntax = 'path-to-regexp' | 'find-my-way';

/** The most variants one path may expand to; past it the route is decided as a whole (fail closed). */
const MAX_VARIANTS = 64;

/** The variants of `path`, or `undefined` when it cannot be read (the route is then decided as a whole). */
export function routeVariants(path: string, syntax: RouteSyntax): RouteVariant[] | undefined {
  try {
    const flat = syntax === 'find-my-way' ? findMyWayVariants(path) : pathToRegexpVariants(path);
    if (flat.length > MAX_VARIANTS) return undefined;
    const variants = new Map<string, RouteVariant>();
    for (const parts of flat) {
      const variant = toVariant(parts);
      variants.set(JSON.stringify(variant.segments), variant);
    }
    return [...variants.values()];
  } catch {
    return undefined;
  }
}

/** Whether a variant's segment holds only literal text. */
export function isLiteral(segment: readonly RoutePart[]): segment is { text: string }[] {
  return segment.every((part) => 'text' in part);
}

function toVariant(parts: RoutePart[]): RouteVariant {
  const segments: RoutePart[][] = [[]];
  const names: string[] = [];
  for (const part of parts) {
    if ('text' in part) {
      const pieces = part.text.split('/');
      pieces.forEach((piece, index) => {
        if (index > 0) segments.push([]);
        if (piece !== '') appendText(segments[segments.length - 1], piece);
      });
    } else {
      names.push('param' in part ? part.param : part.rest);
      segments[segments.length - 1].push(part);
    }
  }
  // The leading `/` gives an empty first segment; a trailing `/` an empty last one, which routers ignore.
  const kept = segments.filter((segment, index) => segment.length > 0 || (index > 0 && index < segments.length - 1));
  const unique = [...new Set(names)].sort();
  return { segments: kept, names: unique, key: unique.join('\0'), repeats: unique.length < names.length };
}

function appendText(segment: RoutePart[], text: string): void {
  const last = segment[segment.length - 1];
  if (last && 'text' in last) segment[segment.length - 1] = { text: last.text + text };
  else segment.push({ text });
}

const ID_START = /[$_\p{ID_Start}]/u;
const ID_CONTINUE = /[$\u200c\u200d\p{ID_Continue}]/u;

/** path-to-regexp 8: `:name`, `:"name"`, `*name`, `{optional}` groups (nested), `\` escapes. */
function pathToRegexpVariants(path: string): RoutePart[][] {
  let index = 0;
  const readName = (): string => {
    if (path[index] === '"') {
      let name = '';
      index++;
      while (index < path.length && path[index] !== '"') {
        if (path[index] === '\\') index++;
        name += path[index++];
      }
      if (path[index++] !== '"') throw new Error('unterminated quoted name');
      return name;
    }
    let name = '';
    if (!ID_START.test(path[index] ?? '')) throw new Error('missing parameter name');
    while (index < path.length && ID_CONTINUE.test(path[index])) name += path[index++];
    return name;
  };
  const readSequence = (inGroup: boolean): RoutePart[][] => {
    let variants: RoutePart[][] = [[]];
    const append = (part: RoutePart) => variants.forEach((variant) => variant.push(part));
    while (index < path.length) {
      const char = path[index];
      if (char === '}') {
        if (!inGroup) throw new Error('unbalanced }');
        index++;
        return variants;
      }
      if (char === '{') {
        index++;
        const group = readSequence(true);
        variants = variants.flatMap((variant) => [variant, ...group.map((inner) => [...variant, ...inner])]);
        if (variants.length > MAX_VARIANTS) throw new Error('too many variants');
      } else if (char === ':' || char === '*') {
        index++;
        const name = readName();
        append(char === ':' ? { param: name } : { rest: name });
      } else if (char === '\\') {
        append({ text: path[index + 1] ?? '' });
        index += 2;
      } else if ('()[]?+!'.includes(char)) {
        throw new Error(`reserved character ${char}`);
      } else {
        append({ text: char });
        index++;
      }
    }
    if (inGroup) throw new Error('unbalanced {');
    return variants;
  };
  return readSequence(false);
}

const OPTIONAL_PARAM = /(\/:[^/()]*?)\?(\/?)/;

/**
 * find-my-way: `:name` (ending at `-`, `.`, `/` or a `(regex)`), `::` for a literal colon, a final `*`, and one
 * optional last parameter `:name?` (two routes, with and without it).
 */
function findMyWayVariants(path: string): RoutePart[][] {
  if (OPTIONAL_PARAM.test(path)) {
    return [findMyWayParts(path.replace(OPTIONAL_PARAM, '$1$2')), findMyWayParts(path.replace(OPTIONAL_PARAM, '$2') || '/')];
  }
  return [findMyWayParts(path)];
}

function findMyWayParts(path: string): RoutePart[] {
  const parts: RoutePart[] = [];
  for (let index = 0; index < path.length; ) {
    const char = path[index];
    if (char === ':' && path[index + 1] === ':') {
      parts.push({ text: ':' });
      index += 2;
    } else if (char === ':') {
      let end = index + 1;
      while (end < path.length && !'-./('.includes(path[end])) end++;
      parts.push({ param: path.slice(index + 1, end) });
      index = path[end] === '(' ? closingParenthesis(path, end) + 1 : end;
    } else if (char === '*') {
      parts.push({ rest: '*' });
      index++;
    } else {
      parts.push({ text: char });
      index++;
    }
  }
  return parts;
}

function closingParenthesis(path: string, start: number): number {
  let depth = 0;
  for (let index = start; index < path.length; index++) {
    if (path[index] === '\\') index++;
    else if (path[index] === '(') depth++;
    else if (path[index] === ')' && --depth === 0) return index;
  }
  throw new Error('unbalanced (');
}
