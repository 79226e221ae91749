/**
 * Stores `value` under `key`, first emptying the map when it holds `limit` entries: the
 * classifier's memos stay bounded whatever the input. Emptying beats evicting the oldest entry —
 * a Map's deleted slots make finding the oldest slow, and real traffic, which repeats a few hundred
 * combinations, refills the hot entries at once.
 */
export function remember<K, V>(cache: Map<K, V>, key: K, value: V, limit: number): void {
  if (cache.size >= limit) cache.clear();
  cache.set(key, value);
}
