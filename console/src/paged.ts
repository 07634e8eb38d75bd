/** A paginated list (`{items, nextCursor}`), loaded a page at a time with the API's cursor. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Page, pagePath } from './api.ts';
import { explain } from './problems.ts';
import { SessionEnded } from './session.ts';

export interface Paged<T> {
  items: T[];
  /** Whether the API has more after the loaded pages. */
  more: boolean;
  loading: boolean;
  /** Set when the first page failed; `loadMoreError` when a later one did. */
  error: string | undefined;
  loadMoreError: string | undefined;
  loadMore: () => void;
  /** Loads the first page again (after a change). */
  reload: () => Promise<void>;
  /** Replaces the loaded items (an optimistic change). */
  setItems: (items: T[]) => void;
}

export function usePaged<T>(path: string, limit = 50): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();
  const [loadMoreError, setLoadMoreError] = useState<string>();
  const generation = useRef(0);

  /**
   * Loads the page after `after` (the first with `null`) and hands it to `onPage`, or its error
   * to `onError`; a load of an older `generation` (the path changed, or the list was reloaded)
   * changes nothing.
   */
  const fetchPage = async (
    after: string | null,
    onPage: (items: T[]) => void,
    onError: (message: string) => void,
  ) => {
    const mine = generation.current;
    setLoading(true);
    try {
      const page = await api.get<Page<T>>(pagePath(path, after, limit));
      if (mine !== generation.current) return;
      onPage(page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      if (e instanceof SessionEnded || mine !== generation.current) return;
      onError(explain(e).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  const first = () => {
    ++generation.current;
    setError(undefined);
    setLoadMoreError(undefined);
    return fetchPage(null, setItems, setError);
  };

  // The path is what the list is: a new path starts it over.
  useEffect(() => {
    setItems([]);
    setCursor(null);
    void first();
  }, [path]);

  const loadMore = () => {
    if (!cursor || loading) return;
    setLoadMoreError(undefined);
    void fetchPage(cursor, (page) => setItems((loaded) => [...loaded, ...page]), setLoadMoreError);
  };

  return {
    items,
    more: cursor !== null,
    loading,
    error,
    loadMoreError,
    loadMore,
    reload: first,
    setItems,
  };
}
