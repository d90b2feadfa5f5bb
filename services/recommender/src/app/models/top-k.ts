/**
 * The k best indices of a score vector, best first; ties go to the lower index, so rankings are
 * deterministic. A bounded min-heap: O(n log k), no full sort of the catalog per request.
 *
 * @example
 *   topK(Float32Array.of(0.1, 0.9, 0.5), 2); // [1, 2]
 */
export function topK(
  scores: ArrayLike<number>,
  k: number,
  keep: (index: number) => boolean = () => true,
): number[] {
  if (k <= 0) return [];
  // heap[0] is the worst kept candidate: lowest score, and among equal scores the highest index.
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const siftUp = (at: number) => {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!worse(heap[at]!, heap[parent]!)) break;
      [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
      at = parent;
    }
  };
  const siftDown = (at: number) => {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < heap.length && worse(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && worse(heap[right]!, heap[least]!)) least = right;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least]!, heap[at]!];
      at = least;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]) || !keep(i)) continue;
    if (heap.length < k) {
      heap.push(i);
      siftUp(heap.length - 1);
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
}
