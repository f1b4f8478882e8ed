/** Sets (or, for `undefined`, removes) environment variables; returns the function that puts every one back. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}

/**
 * Sets environment variables for the duration of `work` (the module reads NODE_ENV and ENDPOINTS_AUTH_DEV_JWKS_URI
 * once, when it starts) and restores them after, whatever happens; `undefined` unsets one.
 */
export async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const restore = setEnv(vars);
  try {
    return await work();
  } finally {
    restore();
  }
}
