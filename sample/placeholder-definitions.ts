import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The spellings the sample's specs use for what a user must fill in (`YOUR-PROJECT`, `SERVICE-ACCOUNT-EMAIL`, …). */
const PLACEHOLDER = /YOUR-[A-Z-]*[A-Z]|SERVICE-ACCOUNT-EMAIL/g;

/** A security definition (or service-config provider) that still holds placeholders, and the file it is in. */
export interface PlaceholderDefinition {
  name: string;
  file: string;
  /** The placeholders it holds, each once, in order. */
  placeholders: string[];
}

/**
 * The definitions of an OpenAPI document (`securityDefinitions`, `components.securitySchemes`) or a service
 * configuration (`authentication.providers`) at `file` that still hold placeholders: they cannot accept a token, and
 * their key fetches may fail, until the user fills them in. A file of the user's own gives none.
 */
export function placeholderDefinitions(file: string): PlaceholderDefinition[] {
  const document = parse(readFileSync(file, 'utf8')) as {
    securityDefinitions?: Record<string, unknown>;
    components?: { securitySchemes?: Record<string, unknown> };
    authentication?: { providers?: { id?: string }[] };
  };
  const definitions: [string, unknown][] = [
    ...Object.entries(document.securityDefinitions ?? {}),
    ...Object.entries(document.components?.securitySchemes ?? {}),
    ...(document.authentication?.providers ?? []).map((provider): [string, unknown] => [String(provider.id), provider]),
  ];
  return definitions.flatMap(([name, definition]) => {
    const placeholders = [...new Set(JSON.stringify(definition).match(PLACEHOLDER) ?? [])];
    return placeholders.length > 0 ? [{ name, file, placeholders }] : [];
  });
}
