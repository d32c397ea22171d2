/**
 * Routes each event by its `type` to the handlers the areas registered (chat registers its own,
 * a notices area would register `notice.new`). Several handlers of one type run in the order
 * they were registered; one that throws is logged and the others still run; a type nobody
 * handles is ignored.
 */
import type { EventOf, EventType, ServerEvent } from "./protocol";

export type Handler<T extends EventType> = (ev: EventOf<T>) => void;
/** One area's handlers, by event type. */
export type Handlers = { [T in EventType]?: Handler<T> };

type AnyHandler = (ev: ServerEvent) => void;

export class Dispatcher {
  private readonly byType = new Map<string, AnyHandler[]>();

  /** Adds a handler of one type; returns the function that removes it. */
  on<T extends EventType>(type: T, fn: Handler<T>): () => void {
    const h = fn as AnyHandler;
    this.byType.set(type, [...(this.byType.get(type) ?? []), h]);
    return () => {
      const left = (this.byType.get(type) ?? []).filter((x) => x !== h);
      if (left.length) this.byType.set(type, left);
      else this.byType.delete(type);
    };
  }

  /** Adds an area's handlers (a map from type to handler); returns the function that removes them. */
  register(handlers: Handlers): () => void {
    const offs = (Object.keys(handlers) as EventType[]).flatMap((type) => {
      const fn = handlers[type];
      return fn ? [this.on(type, fn as Handler<typeof type>)] : [];
    });
    return () => offs.forEach((off) => off());
  }

  /** Hands the event to every handler of its type; the number that got it (0: ignored). */
  dispatch(ev: ServerEvent): number {
    const handlers = this.byType.get(ev.type);
    if (!handlers) return 0;
    for (const h of handlers) {
      try {
        h(ev);
      } catch (err) {
        console.error("realtime handler failed", ev.type, err);
      }
    }
    return handlers.length;
  }

  handles(type: string): boolean {
    return this.byType.has(type);
  }
}
