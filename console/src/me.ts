/**
 * The signed-in person's own view, `GET /v1/me` (SPEC §9): what the profile chooser lists and
 * where other screens find the names of the person's orgs and companies, in any browser.
 */
import { api } from './api.ts';
import type { Me } from './model.ts';
import { type Loaded, useLoad } from './ui.tsx';

export const loadMe = (): Promise<Me> => api.get<Me>('/v1/me');

/** `/v1/me`, loaded with the screen (`key` re-fetches it). */
export const useMe = (key = 'me'): Loaded<Me> => useLoad(loadMe, key);
