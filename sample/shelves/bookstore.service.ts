import { Injectable, NotFoundException } from '@nestjs/common';

/** A shelf of the in-memory Bookstore. */
export interface Shelf {
  id: number;
  theme: string;
}

/** A book on a shelf. */
export interface Book {
  id: number;
  author: string;
  title: string;
}

/** The Bookstore's data, in memory, seeded as in the Endpoints tutorials. */
@Injectable()
export class BookstoreService {
  private readonly shelves = new Map<number, { shelf: Shelf; books: Map<number, Book> }>();
  private nextId = 1;

  constructor() {
    const fiction = this.createShelf('Fiction');
    this.createBook(fiction.id, 'Neal Stephenson', 'REAMDE');
    this.createShelf('Fantasy');
  }

  listShelves(): Shelf[] {
    return [...this.shelves.values()].map((entry) => entry.shelf);
  }

  createShelf(theme: string): Shelf {
    const shelf = { id: this.nextId++, theme };
    this.shelves.set(shelf.id, { shelf, books: new Map() });
    return shelf;
  }

  getShelf(id: number): Shelf {
    return this.entry(id).shelf;
  }

  deleteShelf(id: number): void {
    this.entry(id);
    this.shelves.delete(id);
  }

  listBooks(shelf: number): Book[] {
    return [...this.entry(shelf).books.values()];
  }

  createBook(shelf: number, author: string, title: string): Book {
    const book = { id: this.nextId++, author, title };
    this.entry(shelf).books.set(book.id, book);
    return book;
  }

  getBook(shelf: number, id: number): Book {
    const book = this.entry(shelf).books.get(id);
    if (!book) throw new NotFoundException(`Book ${id} not found on shelf ${shelf}`);
    return book;
  }

  deleteBook(shelf: number, id: number): void {
    this.getBook(shelf, id);
    this.entry(shelf).books.delete(id);
  }

  private entry(id: number) {
    const entry = this.shelves.get(id);
    if (!entry) throw new NotFoundException(`Shelf ${id} not found`);
    return entry;
  }
}
