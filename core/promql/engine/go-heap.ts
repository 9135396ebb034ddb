/**
 * Go's container/heap and sort.Sort on a slice, step for step: topk/bottomk return equal values
 * in the order Prometheus's heap leaves them, which the test files check.
 */
export type Less<T> = (items: readonly T[], i: number, j: number) => boolean;

export function heapPush<T>(items: T[], x: T, less: Less<T>): void {
  items.push(x);
  up(items, items.length - 1, less);
}

/** heap.Fix for the root after it was overwritten. */
export function heapFixRoot<T>(items: T[], less: Less<T>): void {
  if (!down(items, 0, items.length, less)) up(items, 0, less);
}

function up<T>(items: T[], j: number, less: Less<T>): void {
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(items, j, i)) break;
    swap(items, i, j);
    j = i;
  }
}

function down<T>(items: T[], i0: number, n: number, less: Less<T>): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(items, j2, j1)) j = j2;
    if (!less(items, j, i)) break;
    swap(items, i, j);
    i = j;
  }
  return i > i0;
}

/**
 * sort.Sort: Go's pdqsort sorts up to 12 items by insertion sort, which this reproduces exactly;
 * longer slices fall back to a stable sort (equal values may then come out in another order).
 */
export function goSort<T>(items: T[], less: Less<T>): void {
  if (items.length > 12) {
    const indexed = items.map((item, index) => ({ item, index }));
    const view = indexed.map((x) => x.item);
    indexed.sort((a, b) => (less(view, a.index, b.index) ? -1 : less(view, b.index, a.index) ? 1 : 0));
    for (let k = 0; k < items.length; k++) items[k] = (indexed[k] as { item: T }).item;
    return;
  }
  for (let i = 1; i < items.length; i++)
    for (let j = i; j > 0 && less(items, j, j - 1); j--) swap(items, j, j - 1);
}

function swap<T>(items: T[], i: number, j: number): void {
  const x = items[i] as T;
  items[i] = items[j] as T;
  items[j] = x;
}
