/**
 * Interns names (channels, sources, campaigns...) into dense integer ids, so that columnar data
 * carries small integers and the names live once, beside it.
 */
export class Dictionary {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  constructor(names: Iterable<string> = []) {
    for (const name of names) this.intern(name);
  }

  intern(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(name, id);
      this.#names.push(name);
    }
    return id;
  }

  idOf(name: string): number | undefined {
    return this.#ids.get(name);
  }

  nameOf(id: number): string {
    const name = this.#names[id];
    if (name === undefined) throw new RangeError(`no name has id ${id}`);
    return name;
  }

  get size(): number {
    return this.#names.length;
  }

  get names(): readonly string[] {
    return this.#names;
  }
}
