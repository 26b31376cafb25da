/** Marks the moment the first screen is usable (read by the e2e suite's timing figures). */
let marked = false;
export function markUsable(): void {
  if (marked) return;
  marked = true;
  requestAnimationFrame(() => performance.mark("ironfield:usable"));
}
