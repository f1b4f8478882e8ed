import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import { grpcMethodOf } from '../grpc/grpc-request.util.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/** Where a gRPC caller sends its key when the definitions name only query parameters: gRPC has no query string. */
const GRPC_KEY_LOCATIONS: readonly ApiKeyLocation[] = Object.freeze([Object.freeze({ header: 'x-api-key' })]);

/**
 * The request's API key: the first non-empty value in `locations`, in their order, as ESPv2's Service Control filter
 * takes it (headers without case, a query parameter percent-decoded: the token readers' rules). A gRPC call reads the
 * headers among `locations` from its metadata, or `x-api-key` when they name none.
 */
export function findApiKey(request: HttpRequestLike, locations: readonly ApiKeyLocation[]): string | undefined {
  const read = grpcMethodOf(request) === undefined ? locations : grpcLocations(locations);
  // An empty value identifies no caller: `?key=` is no key at that place.
  return extractTokens(request, read).find((value) => value !== '');
}

function grpcLocations(locations: readonly ApiKeyLocation[]): readonly ApiKeyLocation[] {
  const headers = locations.filter((location) => 'header' in location);
  return headers.length > 0 ? headers : GRPC_KEY_LOCATIONS;
}
