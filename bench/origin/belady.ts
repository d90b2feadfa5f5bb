/**
 * The offline limit: Belady's rule (evict what is next needed furthest in the future; an object
 * needed later than everything held is not kept at all) replayed over the whole trace, which only an
 * oracle knows. With objects of different sizes the exact optimum is NP-hard; this rule is the
 * standard reference bound (and near-optimal when sizes vary little, as segments of a ladder do).
 */
export function beladyByteHitRatio(
  requests: readonly string[],
  sizes: ReadonlyMap<string, number>,
  capacity: number,
): number {
  const nextUse = new Array<number>(requests.length);
  const seen = new Map<string, number>();
  for (let i = requests.length - 1; i >= 0; i--) {
    nextUse[i] = seen.get(requests[i]!) ?? Infinity;
    seen.set(requests[i]!, i);
  }
  // Max-heap on next use; stale entries (the key was used again since) are skipped when popped.
  const heap: { at: number; key: string }[] = [];
  const held = new Map<string, number>(); // key → its current next use
  const push = (item: { at: number; key: string }) => {
    heap.push(item);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at >= heap[i]!.at) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l]!.at > heap[m]!.at) m = l;
        if (r < heap.length && heap[r]!.at > heap[m]!.at) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  };
  let used = 0;
  let requested = 0;
  let hit = 0;
  for (let i = 0; i < requests.length; i++) {
    const key = requests[i]!;
    const size = sizes.get(key)!;
    requested += size;
    const at = nextUse[i]!;
    if (held.has(key)) {
      hit += size;
      held.set(key, at);
      push({ at, key });
      continue;
    }
    if (size > capacity) continue;
    held.set(key, at);
    push({ at, key });
    used += size;
    while (used > capacity) {
      const victim = pop();
      if (held.get(victim.key) !== victim.at) continue; // stale
      held.delete(victim.key);
      used -= sizes.get(victim.key)!;
    }
  }
  return requested === 0 ? 0 : hit / requested;
}
