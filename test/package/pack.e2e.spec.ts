import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Builds and packs the library as `npm publish` would, installs the tarball into a consumer outside the repository
 * and loads it there with `import` and with `require()` (Node's require(esm)), and compiles a TypeScript app against its
 * declarations with skipLibCheck off (.ci/matrix.sh runs this file on Nest 11 too).
 *
 * No network: the consumer's node_modules links every package of the repository's node_modules, so the library's
 * dependencies and peers resolve to the very copies the repository tests with — except the optional peers
 * @nestjs/microservices (and grpc) and GraphQL (@nestjs/graphql, graphql, the drivers), which an HTTP-only app does
 * not install: the library must load and guard without them.
 */

/**
 * A tarball packed beforehand, tested instead of packing now: .ci/matrix.sh packs with the repository's own Nest 12,
 * as `npm publish` does, and tests that tarball on Nest 11 (declarations built on Nest 12 must compile there).
 */
const PACKED = process.env.ENDPOINTS_AUTH_PACKED_TARBALL;

/** The optional GraphQL peers and their drivers: an HTTP-only app installs none of them. */
const GRAPHQL_PACKAGES = [
  '@nestjs/graphql',
  'graphql',
  '@nestjs/apollo',
  '@apollo/server',
  '@as-integrations/express5',
  '@nestjs/mercurius',
  'mercurius',
  'graphql-ws',
];

/** The optional WebSocket peers and their servers. */
const WEBSOCKET_PACKAGES = ['@nestjs/websockets', '@nestjs/platform-ws', '@nestjs/platform-socket.io', 'socket.io'];

/** The optional OpenTelemetry peer, and the SDK packages only tests use. */
const OPENTELEMETRY_PACKAGES = ['@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/context-async-hooks'];

/** Packages the consumer does not get: the optional gRPC, GraphQL, WebSocket and OpenTelemetry peers and what only they need. */
const LEFT_OUT = new Set([
  '@nestjs/microservices',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  ...GRAPHQL_PACKAGES,
  ...WEBSOCKET_PACKAGES,
  ...OPENTELEMETRY_PACKAGES,
]);

/** How a built file imports: statically (`import … from '…'`, `import '…'`, `export … from '…'`) or on first use (`import('…')`). */
const STATIC_IMPORT = /^\s*(?:import\s*['"]([^'"]+)['"]|(?:import|export)\b[^(;'"]*?\bfrom\s*['"]([^'"]+)['"])/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/**
 * Every built file `entries` can load (relative imports, static or dynamic, followed), and each package one of them
 * imports statically (`file: package`), which loads with the file.
 */
async function importGraph(installed: string, entries: string[]): Promise<{ files: Set<string>; packages: string[] }> {
  const files = new Set<string>();
  const packages: string[] = [];
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = await readFile(join(installed, file), 'utf8');
    const follow = (specifier: string) => pending.push(posix.normalize(posix.join(posix.dirname(file), specifier)));
    for (const [, bare, named] of text.matchAll(STATIC_IMPORT)) {
      const specifier = (bare ?? named)!;
      if (specifier.startsWith('.')) follow(specifier);
      else packages.push(`${file}: ${specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]}`);
    }
    for (const [, specifier] of text.matchAll(DYNAMIC_IMPORT)) if (specifier!.startsWith('.')) follow(specifier!);
  }
  return { files, packages };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONSUMER_FIXTURES = fileURLToPath(new URL('./consumer/', import.meta.url));
const NAME = 'nestjs-endpoints-auth';

const EXPECTED_EXPORTS = [
  'EndpointsAuthModule',
  'EndpointsAuthGuard',
  'Secured',
  'Public',
  'UserInfo',
  'ENDPOINTS_AUTH_OPTIONS',
  'SECURED_KEY',
  'AuthError',
  'SpecError',
  'StrategyRegistry',
];

/** The fields of a source map (v3) that say where its sources are. */
interface SourceMap {
  sources: string[];
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command and collects its output (never printed unless an assertion or the setup fails). */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: stderr + (error && code === null ? `\n${error.message}` : '') });
    });
  });
}

function describeRun(what: string, result: Run): string {
  return `${what} exited with ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

async function mustRun(file: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Run> {
  const result = await run(file, args, cwd, env);
  if (result.code !== 0) throw new Error(describeRun(`${file} ${args.join(' ')}`, result));
  return result;
}

/** A clean environment for consumer processes: plain `node`, no inherited loaders or flags. */
function consumerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/** The last stdout line as JSON, or a failure that shows everything the process wrote. */
function lastJsonLine<T>(what: string, result: Run): T {
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(describeRun(`${what} printed no JSON;`, result));
  }
}

describe('the packed package', () => {
  let temp: string;
  let consumer: string;
  let tarballFiles: string[];

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), `${NAME}-pack-`));
    const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    if (PACKED) await copyFile(PACKED, join(temp, basename(PACKED)));
    else {
      await mustRun('npm', ['run', 'build'], ROOT, npmEnv);
      await mustRun('npm', ['pack', '--pack-destination', temp], ROOT, npmEnv);
    }
    const tarballs = (await readdir(temp)).filter((name) => name.endsWith('.tgz'));
    if (tarballs.length !== 1) throw new Error(`expected one tarball in ${temp}, found: ${tarballs.join(', ')}`);
    const tarball = join(temp, tarballs[0]!);
    tarballFiles = (await mustRun('tar', ['-tzf', tarball], temp)).stdout.split('\n').filter(Boolean);

    consumer = join(temp, 'consumer');
    const modules = join(consumer, 'node_modules');
    const installed = join(modules, NAME);
    await mkdir(installed, { recursive: true });
    // The tarball's top directory is `package/`.
    await mustRun('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], temp);
    for (const entry of await readdir(join(ROOT, 'node_modules'))) {
      if (entry.startsWith('.') || entry === NAME) continue; // .bin, .package-lock.json, caches; and the library
      if (entry.startsWith('@')) {
        // A scope is linked package by package, so that one package of it can be left out.
        await mkdir(join(modules, entry), { recursive: true });
        for (const scoped of await readdir(join(ROOT, 'node_modules', entry))) {
          if (LEFT_OUT.has(`${entry}/${scoped}`)) continue;
          await symlink(join(ROOT, 'node_modules', entry, scoped), join(modules, entry, scoped), 'junction');
        }
      } else if (!LEFT_OUT.has(entry)) await symlink(join(ROOT, 'node_modules', entry), join(modules, entry), 'junction');
    }
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }, null, 2));
    for (const fixture of await readdir(CONSUMER_FIXTURES)) {
      await copyFile(join(CONSUMER_FIXTURES, fixture), join(consumer, fixture));
    }
  }, 180_000);

  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('contains the build and none of the sources, tests or sample', () => {
    expect(tarballFiles).toEqual(expect.arrayContaining(['package/package.json', 'package/dist/index.js', 'package/dist/index.d.ts']));
    const unwanted = tarballFiles.filter((file) => /^package\/(lib|test|sample|dist-sample|dist-check|node_modules)\//.test(file));
    expect(unwanted, `unwanted files in the tarball:\n${unwanted.join('\n')}`).toEqual([]);
    expect(tarballFiles.filter((file) => file.endsWith('.spec.js') || file.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('ships source maps whose every source is inlined or in the tarball (lib/ itself is not published)', async () => {
    const installed = join(consumer, 'node_modules', NAME);
    const maps = tarballFiles.filter((file) => file.endsWith('.js.map')).map((file) => file.replace(/^package\//, ''));
    expect(maps).toEqual(expect.arrayContaining(['dist/index.js.map', 'dist/cli/main.js.map']));
    expect(maps.length).toBe(tarballFiles.filter((file) => file.endsWith('.js')).length);
    const shipped = new Set(tarballFiles.map((file) => file.replace(/^package\//, '')));
    const unresolved: string[] = [];
    const stale: string[] = [];
    for (const file of maps) {
      const map = JSON.parse(await readFile(join(installed, file), 'utf8')) as SourceMap;
      for (const [index, source] of map.sources.entries()) {
        // A source is a path relative to the map (after sourceRoot): where a debugger looks for it.
        const path = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source));
        const inlined = map.sourcesContent?.[index];
        if (typeof inlined === 'string') {
          // The inlined text is the source the build compiled: lib/ beside the repository's dist/.
          if (inlined !== (await readFile(join(ROOT, path), 'utf8'))) stale.push(`${file}: ${source}`);
        } else if (!shipped.has(path)) unresolved.push(`${file}: ${source} (${path})`);
      }
    }
    expect(unresolved, 'sources neither inlined nor in the tarball').toEqual([]);
    expect(stale, 'inlined sources that differ from lib/').toEqual([]);
  });

  it('has declarations that compile in a TypeScript Nest app with skipLibCheck off', async () => {
    // consumer/app.ts uses the decorators and the module; tsconfig.json checks every .d.ts it loads, the library's
    // and Nest's, so a type only another Nest major exports fails here.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer, consumerEnv());
    expect(result.code, describeRun('tsc -p tsconfig.json (skipLibCheck: false)', result)).toBe(0);
    expect(JSON.parse(await readFile(join(consumer, 'tsconfig.json'), 'utf8')).compilerOptions.skipLibCheck).toBe(false);
  });

  it('has declarations whose imports resolve to types the consumer gets with the package', async () => {
    // Everything the consumer gets: the package's dependencies and peers; a package's types come with it or from
    // an @types package that is itself a dependency or peer.
    const installed = join(consumer, 'node_modules', NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    const provided = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
    const declarations = tarballFiles.filter((file) => file.endsWith('.d.ts')).map((file) => file.replace(/^package\//, ''));
    const missing = new Set<string>();
    for (const file of declarations) {
      const text = await readFile(join(installed, file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
        if (specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        const own = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
        const beside = join(ROOT, 'node_modules', name, String(own.main ?? 'index.js').replace(/\.c?js$/, '.d.ts'));
        const typed =
          Boolean(own.types ?? own.typings) ||
          JSON.stringify(own.exports ?? {}).includes('"types"') ||
          (await readFile(beside).then(() => true, () => false)) ||
          provided.has(`@types/${name.replace('@', '').replace('/', '__')}`);
        if (!provided.has(name) || !typed) missing.add(`${file}: ${name}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('loads with import', async () => {
    const result = await run(process.execPath, ['index.mjs'], consumer, consumerEnv());
    expect(result.code, describeRun('node index.mjs', result)).toBe(0);
    expect(lastJsonLine<string[]>('node index.mjs', result)).toEqual(expect.arrayContaining(EXPECTED_EXPORTS));
  });

  it('loads with require() and exposes the same names as import', async () => {
    const [esm, cjs] = await Promise.all([
      run(process.execPath, ['index.mjs'], consumer, consumerEnv()),
      run(process.execPath, ['index.cjs'], consumer, consumerEnv()),
    ]);
    const output = describeRun('node index.cjs', cjs);
    expect(cjs.stderr, output).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/);
    expect(cjs.stderr, output).not.toMatch(/ExperimentalWarning/);
    expect(cjs.code, output).toBe(0);
    const names = lastJsonLine<string[]>('node index.cjs', cjs);
    expect(names).toEqual(expect.arrayContaining(EXPECTED_EXPORTS));
    expect(names).toEqual(lastJsonLine<string[]>('node index.mjs', esm));
  });

  it('loads the testing kit with import and with require(), and a CommonJS test passes through it', async () => {
    const [esm, cjs] = await Promise.all([
      run(process.execPath, ['testing.mjs'], consumer, consumerEnv()),
      run(process.execPath, ['testing.cjs'], consumer, consumerEnv()),
    ]);
    expect(esm.code, describeRun('node testing.mjs', esm)).toBe(0);
    expect(lastJsonLine<string[]>('node testing.mjs', esm)).toEqual(['EndpointsAuthTesting']);
    const output = describeRun('node testing.cjs', cjs);
    expect(cjs.stderr, output).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|ExperimentalWarning/);
    expect(cjs.code, output).toBe(0);
    expect(lastJsonLine('node testing.cjs', cjs)).toEqual({
      minted: { status: 200, body: { sub: 'u1', email: 'a@b.c' } },
      expired: { status: 401, errorCode: 'TOKEN_EXPIRED' },
    });
  });

  it('never loads the testing kit or the WebSocket adapters from the main entry or the bin', async () => {
    const installed = join(consumer, 'node_modules', NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['./testing', './ws', './socket.io']));
    const { files } = await importGraph(installed, ['dist/index.js', 'dist/cli/main.js']);
    expect(files.size).toBeGreaterThan(50);
    expect([...files].filter((file) => /^dist\/(testing|websockets\/ws|websockets\/socket\.io)\//.test(file))).toEqual([]);
  });

  it.each(['@nestjs/microservices', '@nestjs/graphql', 'graphql', 'graphql-ws', ...WEBSOCKET_PACKAGES])(
    'has no %s in the consumer, so the next tests load and guard with the library without it',
    async (name) => {
      const probe = await run(process.execPath, ['-e', `require.resolve('${name}')`], consumer, consumerEnv());
      expect(probe.code).not.toBe(0);
      expect(probe.stderr).toContain(`Cannot find module '${name}'`);
    },
  );

  it('never imports an optional peer statically from the main entry or the bin (only when its context is used)', async () => {
    const installed = join(consumer, 'node_modules', NAME);
    const optional = new Set(['@nestjs/microservices', ...GRAPHQL_PACKAGES, ...WEBSOCKET_PACKAGES, 'ws', '@opentelemetry/api']);
    const { files, packages } = await importGraph(installed, ['dist/index.js', 'dist/cli/main.js']);
    expect(files).toContain('dist/graphql/to-graphql-error.util.js');
    expect(files).toContain('dist/websockets/to-ws-exception.util.js');
    expect(packages.filter((entry) => optional.has(entry.split(': ')[1]!))).toEqual([]);
  });

  it('runs the endpoints-auth bin from the tarball: a shebang, --help, and check on a spec', async () => {
    const installed = join(consumer, 'node_modules', NAME);
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ 'endpoints-auth': './dist/cli/main.js' });
    expect(tarballFiles).toContain('package/dist/cli/main.js');
    const bin = join(installed, manifest.bin['endpoints-auth']);
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    const spec = {
      swagger: '2.0',
      info: { title: 'bin', version: '1' },
      host: 'bin.example.com',
      securityDefinitions: { sa: { type: 'oauth2', 'x-google-issuer': 'sa@bin.iam.gserviceaccount.com' } },
      paths: {},
    };
    await writeFile(join(consumer, 'openapi.json'), JSON.stringify(spec));
    const [help, check] = await Promise.all([
      run(process.execPath, [bin, '--help'], consumer, consumerEnv()),
      run(process.execPath, [bin, 'check', '--spec', 'openapi.json'], consumer, consumerEnv()),
    ]);
    expect(help.code, describeRun('endpoints-auth --help', help)).toBe(0);
    expect(help.stdout).toMatch(/^Usage: endpoints-auth <command>/);
    expect(check.code, describeRun('endpoints-auth check', check)).toBe(0);
    expect(check.stdout).toContain('keys       inferred service-account certificates at https://www.googleapis.com/robot/v1/metadata/x509/sa@bin.iam.gserviceaccount.com');
  });

  it('guards the routes of a plain CommonJS Nest app', async () => {
    const result = await run(process.execPath, ['server.cjs'], consumer, consumerEnv());
    const output = describeRun('node server.cjs', result);
    expect(result.stderr, output).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE|ExperimentalWarning/);
    expect(result.code, output).toBe(0);
    const statuses = lastJsonLine<{ secured: { status: number; body: unknown }; public: { status: number; body: unknown } }>(
      'node server.cjs',
      result,
    );
    expect(statuses.secured).toMatchObject({ status: 401, body: { statusCode: 401, message: 'Jwt is missing' } });
    expect(statuses.public).toEqual({ status: 200, body: { ok: true } });
  });
});
