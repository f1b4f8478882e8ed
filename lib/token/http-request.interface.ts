/**
 * The part of an Express or Fastify request the library reads and writes; what `EndpointsAuthGuard.getRequest()` returns.
 * @publicApi
 */
export interface HttpRequestLike {
  method?: string;
  url?: string;
  /** Express keeps the URL the client sent here when routers rewrite `url`. */
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  protocol?: string;
  user?: unknown;
  [key: string | symbol]: unknown;
}
