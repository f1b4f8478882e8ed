import type { AuthorizationHeaderOptions } from './authorization-header.js';
import { HEADER_SPELLING, checkAuthorizationHeader } from './authorization-header.util.js';
import type { TokenSource } from './token-source.interface.js';

/** The request config axios hands an interceptor: its headers are an `AxiosHeaders` (with `set`) or a plain record. */
interface AxiosRequestConfigLike {
  headers?: { set?: (name: string, value: string) => unknown; [name: string]: unknown };
}

/** What the library uses of an axios instance; axios and @nestjs/axios are never imported (neither is required). */
export interface AxiosInstanceLike {
  interceptors: {
    request: {
      use(onFulfilled: <Config extends AxiosRequestConfigLike>(config: Config) => Promise<Config>): number;
      eject(id: number): void;
    };
  };
}

/**
 * Adds `Authorization: Bearer <token>` for `audience` (from `source`, cached there) to every request of an axios
 * instance or of a `@nestjs/axios` `HttpService` (its `axiosRef`), replacing one the caller set — or, with
 * `header: 'x-serverless-authorization'`, `X-Serverless-Authorization` instead, leaving the caller's `Authorization`
 * alone; returns a function that removes the interceptor.
 */
export function useAuthorization(
  target: AxiosInstanceLike | { axiosRef: AxiosInstanceLike },
  source: TokenSource,
  audience: string,
  options: AuthorizationHeaderOptions = {},
): () => void {
  const header = checkAuthorizationHeader(options.header, 'useAuthorization');
  const spelling = HEADER_SPELLING[header];
  const axios = 'axiosRef' in target ? target.axiosRef : target;
  const id = axios.interceptors.request.use(async (config) => {
    const value = `Bearer ${await source.getToken(audience)}`;
    const headers = (config.headers ??= {});
    if (typeof headers.set === 'function') headers.set(spelling, value);
    else {
      // A plain record may carry the header in any case: one spelling must win.
      for (const name of Object.keys(headers)) if (name.toLowerCase() === header) delete headers[name];
      headers[spelling] = value;
    }
    return config;
  });
  return () => axios.interceptors.request.eject(id);
}
