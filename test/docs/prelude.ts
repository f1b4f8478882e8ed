/**
 * What every TypeScript block of the user docs may use without writing it, so a fragment (decorators on a class, a
 * call alone) compiles as written. Each block is compiled as its own module, as if it began with:
 *
 * 1. an import of every public export of the library, `from 'nestjs-endpoints-auth'` (values with `import`, types with
 *    `import type`), read from `lib/index.ts` on each run, so a removed or renamed export fails the blocks using it;
 * 2. the imports and ambient stand-ins below: Nest's decorators, and declared names for what a fragment leaves to the
 *    reader (`parsedDocument`, an `http` client, …). A stand-in is only a type: it never vouches for library code.
 *
 * A name the block binds itself (imports or declares at top level) is left out of both, and a library export wins
 * over a stand-in of the same name. Add here only what a fragment cannot show on its own; a block that needs more
 * should import it.
 */
export const PRELUDE = `
import { Body, Controller, Delete, Get, Inject, Injectable, Module, Param, Patch, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import * as grpc from '@grpc/grpc-js';

// @nestjs/config, which the examples use but this package does not install.
declare class ConfigModule {}
declare class ConfigService { getOrThrow<T = string>(key: string): T }

// Values a fragment takes from its surroundings.
/** The user's controller, written in another file of their app. */
declare class ShelvesController {}
declare const parsedDocument: Record<string, unknown>;
declare const source: TokenSource;
declare const http: HttpService;
declare const metadata: grpc.Metadata;
declare const userToken: string;
/** A grpc-js client of the Bookstore service (as @grpc/proto-loader makes it). */
declare const client: grpc.Client & {
  ListShelves(request: object, metadata: grpc.Metadata, callback: grpc.requestCallback<unknown>): grpc.ClientUnaryCall;
};
/** google.protobuf.Empty. */
interface Empty {}
`;
