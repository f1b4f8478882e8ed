import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { type JwtClaims, UserInfo } from '../../lib/index.js';
import { BookstoreService } from './bookstore.service.js';

/**
 * The Bookstore's REST API. It carries no decorators: every requirement comes from `openapi.yaml`, matched by method
 * and path template, as ESP would apply it.
 */
@Controller('shelves')
export class ShelvesController {
  constructor(private readonly bookstore: BookstoreService) {}

  @Get()
  listShelves() {
    return { shelves: this.bookstore.listShelves() };
  }

  @Post()
  createShelf(@Body() body: { theme?: string }, @UserInfo('sub') caller: string) {
    return { ...this.bookstore.createShelf(body?.theme ?? 'Untitled'), createdBy: caller };
  }

  @Get(':shelf')
  getShelf(@Param('shelf', ParseIntPipe) shelf: number) {
    return this.bookstore.getShelf(shelf);
  }

  @Delete(':shelf')
  @HttpCode(204)
  deleteShelf(@Param('shelf', ParseIntPipe) shelf: number) {
    this.bookstore.deleteShelf(shelf);
  }

  @Get(':shelf/books')
  listBooks(@Param('shelf', ParseIntPipe) shelf: number) {
    return { books: this.bookstore.listBooks(shelf) };
  }

  @Post(':shelf/books')
  createBook(@Param('shelf', ParseIntPipe) shelf: number, @Body() body: { author?: string; title?: string }) {
    return this.bookstore.createBook(shelf, body?.author ?? 'Unknown', body?.title ?? 'Untitled');
  }

  @Get(':shelf/books/:book')
  getBook(@Param('shelf', ParseIntPipe) shelf: number, @Param('book', ParseIntPipe) book: number) {
    return this.bookstore.getBook(shelf, book);
  }

  @Delete(':shelf/books/:book')
  @HttpCode(204)
  deleteBook(@Param('shelf', ParseIntPipe) shelf: number, @Param('book', ParseIntPipe) book: number) {
    this.bookstore.deleteBook(shelf, book);
  }
}

/** Echoes who called, as the tutorials' `/auth/info/*` endpoints do. */
@Controller('auth/info')
export class AuthInfoController {
  @Get()
  authInfo(@UserInfo() claims: JwtClaims) {
    return claims;
  }
}
