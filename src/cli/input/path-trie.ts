import { isUtf8 } from 'node:buffer';
import type { Dictionary } from '../../core/dictionary.js';

const space = 0x20;
const tab = 0x09;

/**
 * Turns channel names written as bytes into dictionary ids without making a string per touch:
 * a name's bytes are hashed and compared with the bytes of the name the hash points to; only a
 * name never seen before (or a hash collision) becomes a string.
 */
export class ChannelBytes {
  readonly #byHash = new Map<number, number>();
  readonly #bytesOf: Buffer[] = [];

  constructor(private readonly channels: Dictionary) {}

  /** The name's id; -1 when its bytes are not UTF-8 (checked once per distinct name). */
  idOf(buffer: Buffer, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buffer[i], 0x01000193);
    const candidate = this.#byHash.get(hash);
    if (candidate !== undefined && sameBytes(this.#bytesOf[candidate], buffer, start, end)) {
      return candidate;
    }
    if (!isUtf8(buffer.subarray(start, end))) return -1;
    const id = this.channels.intern(buffer.toString('utf8', start, end));
    if (candidate === undefined) this.#byHash.set(hash, id);
    this.#bytesOf[id] ??= Buffer.from(buffer.subarray(start, end));
    return id;
  }
}

/** Byte by byte: `Buffer.compare` costs a native call, too much for a name of a few bytes. */
function sameBytes(known: Buffer | undefined, buffer: Buffer, start: number, end: number): boolean {
  if (known === undefined || known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buffer[start + i]) return false;
  return true;
}

/**
 * Distinct paths as a trie over channel ids, so finding a path costs one probe per touch. The
 * edges live in an open-addressing table of typed arrays: a Map keyed by (node, channel) pairs
 * would need keys beyond small integers, which V8 boxes and hashes slowly.
 */
export class PathTrie {
  static readonly root = 0;
  #edgeNode = new Int32Array(1 << 16).fill(-1);
  #edgeChannel = new Int32Array(1 << 16);
  #edgeChild = new Int32Array(1 << 16);
  #edges = 0;
  #journeyOf = new Int32Array(1024).fill(-1);
  #nodes = 1;

  /** The node reached from `node` through `channel`, made if new. */
  child(node: number, channel: number): number {
    const mask = this.#edgeNode.length - 1;
    let slot = (Math.imul(node, 0x9e3779b1) ^ Math.imul(channel, 0x85ebca6b)) & mask;
    for (;;) {
      const at = this.#edgeNode[slot];
      if (at === -1) break;
      if (at === node && this.#edgeChannel[slot] === channel) return this.#edgeChild[slot];
      slot = (slot + 1) & mask;
    }
    const child = this.#nodes++;
    this.#edgeNode[slot] = node;
    this.#edgeChannel[slot] = channel;
    this.#edgeChild[slot] = child;
    if (++this.#edges * 2 > this.#edgeNode.length) this.#growEdges();
    if (child >= this.#journeyOf.length) {
      const bigger = new Int32Array(this.#journeyOf.length * 2).fill(-1);
      bigger.set(this.#journeyOf);
      this.#journeyOf = bigger;
    }
    return child;
  }

  journeyAt(node: number): number {
    return this.#journeyOf[node];
  }

  setJourney(node: number, journey: number): void {
    this.#journeyOf[node] = journey;
  }

  #growEdges(): void {
    const nodes = this.#edgeNode;
    const channels = this.#edgeChannel;
    const children = this.#edgeChild;
    const size = nodes.length * 2;
    const mask = size - 1;
    this.#edgeNode = new Int32Array(size).fill(-1);
    this.#edgeChannel = new Int32Array(size);
    this.#edgeChild = new Int32Array(size);
    for (let old = 0; old < nodes.length; old++) {
      const node = nodes[old];
      if (node === -1) continue;
      let slot = (Math.imul(node, 0x9e3779b1) ^ Math.imul(channels[old], 0x85ebca6b)) & mask;
      while (this.#edgeNode[slot] !== -1) slot = (slot + 1) & mask;
      this.#edgeNode[slot] = node;
      this.#edgeChannel[slot] = channels[old];
      this.#edgeChild[slot] = children[old];
    }
  }
}

/**
 * Splits `buffer[start, end)` on `separator`, trims spaces and tabs around each name, and calls
 * `onName` with each name's byte range. Returns false when a name is empty.
 */
export function splitPath(
  buffer: Buffer,
  start: number,
  end: number,
  separator: Buffer,
  onName: (nameStart: number, nameEnd: number) => void,
): boolean {
  const first = separator[0];
  const width = separator.length;
  let tokenStart = start;
  let i = start;
  for (;;) {
    let atSeparator = false;
    if (i < end && buffer[i] === first) {
      atSeparator = width === 1 || (i + width <= end && sameBytes(separator, buffer, i, i + width));
    }
    if (i >= end || atSeparator) {
      let a = tokenStart;
      let b = i;
      while (a < b && (buffer[a] === space || buffer[a] === tab)) a++;
      while (b > a && (buffer[b - 1] === space || buffer[b - 1] === tab)) b--;
      if (a === b) return false;
      onName(a, b);
      if (i >= end) return true;
      i += width;
      tokenStart = i;
      continue;
    }
    i++;
  }
}
