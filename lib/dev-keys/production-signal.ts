/**
 * Why the app counts as deployed, or `undefined` on a developer's machine: `NODE_ENV` is `production` (any case,
 * spaces around: the rule it feeds only refuses, so a near-spelling must not pass for development), or Cloud Run's
 * own variables are set (`K_SERVICE` for a service, `CLOUD_RUN_JOB` for a job), since a Cloud Run container often has
 * no `NODE_ENV` at all.
 */
export function productionSignal(env: NodeJS.ProcessEnv): string | undefined {
  if (env['NODE_ENV']?.trim().toLowerCase() === 'production') return 'NODE_ENV is "production"';
  if (env['K_SERVICE']) return 'K_SERVICE is set (Cloud Run)';
  if (env['CLOUD_RUN_JOB']) return 'CLOUD_RUN_JOB is set (Cloud Run)';
  return undefined;
}
