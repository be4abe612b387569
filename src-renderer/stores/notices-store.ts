/** Error banners: sentences for people (file, offset, what to do), never stacks. */
import { create } from 'zustand';

/** One banner. */
export interface Notice {
  readonly id: number;
  readonly message: string;
}

interface NoticesState {
  readonly notices: readonly Notice[];
  push(message: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

/** The banners currently shown. */
export const useNotices = create<NoticesState>()((set) => ({
  notices: [],
  push: (message) =>
    set((s) => (s.notices.some((n) => n.message === message) ? s : { notices: [...s.notices.slice(-4), { id: nextId++, message }] })),
  dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
}));

/** Shows an error sentence (from outside React). */
export function reportError(message: string): void {
  useNotices.getState().push(message);
}
