import type { ExecutionContext } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { canonicalNestPath, joinPaths } from '../spec/path-template.util.js';

/**
 * How many leading segments of the request path come before the handler's own path: a global prefix or a URI
 * version (`/api/v1` in `/api/v1/shelves/:shelf` for `@Controller('shelves') @Get(':shelf')`). A spec without a
 * matching `basePath` lists paths without them. `0` when the route template does not end with the handler's path.
 */
export function routePrefixSegments(context: ExecutionContext, template: string): number {
  const route = canonicalNestPath(template);
  for (const controllerPath of pathsOf(context.getClass())) {
    for (const handlerPath of pathsOf(context.getHandler())) {
      const own = canonicalNestPath(joinPaths(controllerPath, handlerPath));
      if (own !== '/' && route.endsWith(own) && route.length > own.length) {
        return route.slice(0, route.length - own.length).split('/').length - 1;
      }
    }
  }
  return 0;
}

function pathsOf(target: object): string[] {
  const value = Reflect.getMetadata(PATH_METADATA, target) as string | string[] | undefined;
  return value === undefined ? ['/'] : Array.isArray(value) ? value : [value];
}

/** `path` without its first `count` segments (`/api/v1/shelves/1` less 2 is `/shelves/1`). */
export function dropSegments(path: string, count: number): string {
  return '/' + path.split('/').slice(count + 1).join('/');
}
