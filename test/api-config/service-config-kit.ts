/**
 * The service configurations of `test/api-config/fixtures/`, as `gcloud endpoints configs describe` prints them (proto3 JSON
 * names), and their twins in the other spellings:
 * * `openapi-generated.service-config.json` (`--format=json`): what Service Management generates from the OpenAPI 2
 *   document kept (base64) in its `sourceInfo`: API `1.bookstore_endpoints_test_project_cloud_goog`, providers alpha
 *   (audiences `alpha-audience`) and beta (token in `X-Beta-Token` after `Beta `); ListShelves open, CreateShelf and
 *   DeleteShelf alpha (DeleteShelf with an API key: no `allowUnregisteredCalls`), GetShelf alpha or beta, GetBook beta.
 * * `grpc.service-config.yaml` (the default YAML): a gRPC config for `test.auth` (shelves.proto): alpha (token in
 *   `X-Alpha-Token` after `Alpha `) and beta; Shelves methods beta, GetShelf alpha or beta, Health.Check beta or no
 *   token (`allowWithoutCredential`); keys needed except for GetShelf and Health; HTTP bindings `/v1/shelves`,
 *   `/v1/shelves/{id}` and `/v1/shelf/{id}` (GetShelf), `/v1/health` (Check).
 * `KEY_SERVER` in them stands for the key server's URL.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { parse, stringify } from 'yaml';
import { type JwtClaims, UserInfo } from '../../lib/index.js';
import type { TempDir } from './spec-kit.js';

/** The two fixtures, by file name. */
export const FIXTURES = ['openapi-generated.service-config.json', 'grpc.service-config.yaml'] as const;
export type Fixture = (typeof FIXTURES)[number];

/** How a twin spells field names: as printed (proto3 JSON), as written in api_config.yaml, or each object in turn. */
export const SPELLINGS = ['camelCase', 'snake_case', 'mixed'] as const;
export type Spelling = (typeof SPELLINGS)[number];

/** The fixture parsed, with KEY_SERVER replaced by `keyServer`. */
export function fixture(name: Fixture, keyServer: string): Record<string, unknown> {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8').replaceAll('KEY_SERVER', keyServer);
  return name.endsWith('.json') ? JSON.parse(text) : parse(text);
}

/**
 * The fixture in `spelling`: every lowerCamel key turned into its proto name (`jwksUri` → `jwks_uri`), or, mixed, those
 * of every odd-numbered entry of a list and of every mapping inside a mapping spelled the other way.
 */
export function spelled(config: Record<string, unknown>, spelling: Spelling): Record<string, unknown> {
  if (spelling === 'camelCase') return config;
  const convert = (value: unknown, snake: boolean): unknown => {
    if (Array.isArray(value)) return value.map((entry, index) => convert(entry, spelling === 'snake_case' || index % 2 === 1));
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [snake ? protoName(key) : key, convert(inner, spelling === 'snake_case' || !snake)]),
    );
  };
  return convert(config, spelling === 'snake_case') as Record<string, unknown>;
}

/** `jwksUri` → `jwks_uri`; keys that are not lowerCamel names (`@type`, map keys such as `STANDARD`) stay. */
function protoName(key: string): string {
  return /^[a-z][A-Za-z0-9]*$/.test(key) ? key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) : key;
}

/** Writes `config` to `dir` as `name` (JSON or YAML by its extension) and returns the path. */
export function writeConfig(dir: TempDir, name: string, config: Record<string, unknown>): string {
  return dir.write(name, name.endsWith('.json') ? JSON.stringify(config, null, 2) : stringify(config));
}

const answer = (handler: string, user?: JwtClaims) => ({ handler, iss: user?.iss ?? null });

/** The HTTP routes of the OpenAPI-generated fixture's `http.rules`. */
@Controller('v1/shelves')
export class BookstoreController {
  @Get()
  list(@UserInfo() user?: JwtClaims) {
    return answer('ListShelves', user);
  }

  @HttpCode(200)
  @Post()
  create(@UserInfo() user?: JwtClaims) {
    return answer('CreateShelf', user);
  }

  @Get(':shelf')
  get(@UserInfo() user?: JwtClaims) {
    return answer('GetShelf', user);
  }

  @Delete(':shelf')
  remove(@UserInfo() user?: JwtClaims) {
    return answer('DeleteShelf', user);
  }

  @Get(':shelf/books/:book')
  book(@UserInfo() user?: JwtClaims) {
    return answer('GetBook', user);
  }
}

/** The HTTP routes of the gRPC fixture's `http.rules` (GetShelf under two paths, one an additional binding). */
@Controller('v1')
export class TranscodedController {
  @Get('shelves')
  list(@UserInfo() user?: JwtClaims) {
    return answer('ListShelves', user);
  }

  @Get('shelves/:id')
  get(@UserInfo() user?: JwtClaims) {
    return answer('GetShelf', user);
  }

  @Get('shelf/:id')
  getAgain(@UserInfo() user?: JwtClaims) {
    return answer('GetShelf', user);
  }

  @Get('health')
  check(@UserInfo() user?: JwtClaims) {
    return answer('Check', user);
  }
}

/** The controllers serving `name`'s HTTP routes. */
export const controllersOf = (name: Fixture) => (name === 'grpc.service-config.yaml' ? [TranscodedController] : [BookstoreController]);
