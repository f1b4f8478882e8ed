/**
 * ESPv2's audience sanitising (jwt_verify_lib `check_audience.cc`): strip a leading `http://` or `https://`
 * (case-sensitive), then one trailing `/`.
 */
export function sanitizeAudience(audience: string): string {
  let value = audience;
  if (value.startsWith('https://')) value = value.slice(8);
  else if (value.startsWith('http://')) value = value.slice(7);
  return value.endsWith('/') ? value.slice(0, -1) : value;
}
