import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type Book, BookstoreService, type Shelf } from '../shelves/bookstore.service.js';
import { NotFoundRpcFilter } from './not-found.filter.js';

/** A request that names a shelf, and a book on it when the method needs one (int64 fields arrive as numbers). */
interface ShelfRequest {
  shelf: number;
  book: number;
}

/**
 * The Bookstore's gRPC methods (bookstore.proto). Like the REST controller it carries no decorators: what each method
 * requires comes from api_config_auth.yaml's rules, matched by the method's full name, as ESPv2 would apply them.
 */
@Controller()
@UseFilters(NotFoundRpcFilter)
export class BookstoreGrpcController {
  constructor(private readonly bookstore: BookstoreService) {}

  @GrpcMethod('Bookstore', 'ListShelves')
  listShelves(): { shelves: Shelf[] } {
    return { shelves: this.bookstore.listShelves() };
  }

  @GrpcMethod('Bookstore', 'CreateShelf')
  createShelf({ shelf }: { shelf?: Partial<Shelf> }): Shelf {
    return this.bookstore.createShelf(shelf?.theme || 'Untitled');
  }

  @GrpcMethod('Bookstore', 'GetShelf')
  getShelf({ shelf }: ShelfRequest): Shelf {
    return this.bookstore.getShelf(shelf);
  }

  @GrpcMethod('Bookstore', 'DeleteShelf')
  deleteShelf({ shelf }: ShelfRequest): object {
    this.bookstore.deleteShelf(shelf);
    return {};
  }

  @GrpcMethod('Bookstore', 'ListBooks')
  listBooks({ shelf }: ShelfRequest): { books: Book[] } {
    return { books: this.bookstore.listBooks(shelf) };
  }

  @GrpcMethod('Bookstore', 'CreateBook')
  createBook({ shelf, book }: { shelf: number; book?: Partial<Book> }): Book {
    return this.bookstore.createBook(shelf, book?.author || 'Unknown', book?.title || 'Untitled');
  }

  @GrpcMethod('Bookstore', 'GetBook')
  getBook({ shelf, book }: ShelfRequest): Book {
    return this.bookstore.getBook(shelf, book);
  }

  @GrpcMethod('Bookstore', 'DeleteBook')
  deleteBook({ shelf, book }: ShelfRequest): object {
    this.bookstore.deleteBook(shelf, book);
    return {};
  }
}
