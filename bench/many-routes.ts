// The app side of the 1,000-path spec (tokens.ts benchSpec): one controller with `count` routes.
import { Controller, Get, Param, type Type } from '@nestjs/common';

/** A controller of `count` routes `GET /r{i}/items/:item`, the app side of the 1,000-path spec. */
export function manyRoutes(count: number): Type<unknown> {
  @Controller()
  class ItemsController {}
  for (let index = 0; index < count; index++) {
    const name = `item${index}`;
    Object.defineProperty(ItemsController.prototype, name, {
      value: function item(item: string) {
        return { item };
      },
    });
    Param('item')(ItemsController.prototype, name, 0);
    const descriptor = Object.getOwnPropertyDescriptor(ItemsController.prototype, name) as PropertyDescriptor;
    Get(`r${index}/items/:item`)(ItemsController.prototype, name, descriptor);
  }
  return ItemsController;
}

