import { join } from 'node:path';
import { app } from 'electron';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { addRecentFile, parseRecentFiles, removeRecentFile, serializeRecentFiles } from './recent-files.js';

/**
 * Open Recent's list, saved in userData/recent-files.json and mirrored to the OS's recent
 * documents (Dock, jump list). `onChange` rebuilds the menu.
 */
export class RecentFilesStore {
  readonly #path: string;
  #files: readonly string[];

  constructor(userData: string, private readonly onChange: () => void) {
    this.#path = join(userData, 'recent-files.json');
    this.#files = parseRecentFiles(readJsonFile(this.#path));
  }

  /** Paths, newest first. */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Records an opened capture. */
  add(path: string): void {
    app.addRecentDocument(path);
    this.#set(addRecentFile(this.#files, path));
  }

  /** Drops a path that could not be opened. */
  remove(path: string): void {
    this.#set(removeRecentFile(this.#files, path));
  }

  /** File ▸ Open Recent ▸ Clear Recent. */
  clear(): void {
    app.clearRecentDocuments();
    this.#set([]);
  }

  #set(files: readonly string[]): void {
    this.#files = files;
    writeJsonFile(this.#path, serializeRecentFiles(files));
    this.onChange();
  }
}
