import type { ExecutionContext } from '@nestjs/common';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/** What the library reads and writes of a grpc-js `Metadata`, without importing @grpc/grpc-js (an optional peer's peer). */
export interface MetadataLike {
  get(key: string): unknown[];
  getMap(): Record<string, unknown>;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** What the library reads of a grpc-js server call. */
interface GrpcCallLike {
  metadata?: unknown;
  getPath?: () => string;
}

/** The key under which a gRPC request view keeps the call's full method name (`pkg.Service.Method`). */
const GRPC_METHOD = Symbol.for('nestjs-endpoints-auth:grpc-method');

/** The key under which a gRPC request view keeps the call's `Metadata`, the object the handler receives. */
const GRPC_METADATA = Symbol.for('nestjs-endpoints-auth:grpc-metadata');

/**
 * One view per call, keyed by the call's `Metadata` (a new object for every call): the guard and `@UserInfo()` each
 * ask for the request, and must get the same object, since the verified claims are kept per request object.
 */
const VIEWS = new WeakMap<object, HttpRequestLike>();

/**
 * The request of a gRPC call as the guard reads it: the call's metadata as headers (every value of a key, in the
 * order sent; binary `-bin` values are never tokens and are left out), and its full method name. Nest hands a
 * `@GrpcMethod` handler `[data, metadata, call]` and a `@GrpcStreamCall` handler `[call, callback]`. `undefined` for
 * any other RPC transport (TCP, NATS, Kafka...), which has no metadata to read a token from.
 */
export function grpcRequestOf(context: ExecutionContext): HttpRequestLike | undefined {
  const [first, second, third] = context.getArgs<unknown[]>();
  let metadata: unknown;
  let call: GrpcCallLike | undefined;
  if (isMetadata(second)) {
    metadata = second;
    call = third as GrpcCallLike | undefined;
  } else if (isCall(first) && isMetadata(first.metadata)) {
    metadata = first.metadata;
    call = first;
  }
  if (!isMetadata(metadata) || typeof call?.getPath !== 'function') return undefined;
  let view = VIEWS.get(metadata);
  if (!view) VIEWS.set(metadata, (view = viewOf(metadata, call.getPath())));
  return view;
}

/**
 * The call's own `Metadata` behind a gRPC request view, for what must reach the handler (the forwarded user info);
 * `undefined` for an HTTP request.
 */
export function grpcMetadataOf(request: HttpRequestLike): MetadataLike | undefined {
  return request[GRPC_METADATA] as MetadataLike | undefined;
}

/** The full method name (`pkg.Service.Method`) of a gRPC request view; `undefined` for an HTTP request. */
export function grpcMethodOf(request: HttpRequestLike): string | undefined {
  return request[GRPC_METHOD] as string | undefined;
}

function viewOf(metadata: MetadataLike, path: string): HttpRequestLike {
  const headers: Record<string, string[]> = {};
  for (const key of Object.keys(metadata.getMap())) {
    if (key.endsWith('-bin')) continue;
    const values = metadata.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length > 0) headers[key] = values;
  }
  // `/pkg.Service/Method` is the HTTP/2 path of the call; selectors name methods as `pkg.Service.Method`.
  const method = path.replace(/^\//, '').replace('/', '.');
  // No `url`: gRPC has no query string, so a definition's query locations find nothing.
  return { method: 'POST', headers, protocol: 'grpc', [GRPC_METHOD]: method, [GRPC_METADATA]: metadata };
}

function isMetadata(value: unknown): value is MetadataLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MetadataLike).get === 'function' &&
    typeof (value as MetadataLike).getMap === 'function'
  );
}

function isCall(value: unknown): value is GrpcCallLike {
  return typeof value === 'object' && value !== null && typeof (value as GrpcCallLike).getPath === 'function';
}
