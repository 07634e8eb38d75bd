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

  const first = async () => {
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    setLoadMoreError(undefined);
    try {
      const page = await api.get<Page<T>>(pagePath(path, null, limit));
      if (mine !== generation.current) return;
      setItems(page.items);
      setCursor(page.nextCursor);
    } catch (e) {
      if (e instanceof SessionEnded || mine !== generation.current) return;
      setError(explain(e).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  // The path is what the list is: a new path starts it over.
  useEffect(() => {
    setItems([]);
    setCursor(null);
    void first();
  }, [path]);

  const loadMore = async () => {
    if (!cursor || loading) return;
    const mine = generation.current;
    setLoading(true);
    setLoadMoreError(undefined);
    try {
      const page = await api.get<Page<T>>(pagePath(path, cursor, limit));
      if (mine !== generation.current) return;
      setItems((loaded) => [...loaded, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      if (e instanceof SessionEnded || mine !== generation.current) return;
      setLoadMoreError(explain(e).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  return {
    items,
    more: cursor !== null,
    loading,
    error,
    loadMoreError,
    loadMore: () => void loadMore(),
    reload: first,
    setItems,
  };
}
