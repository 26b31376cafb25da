/**
 * Marks the moment the first screen is usable (read by the e2e suite's timing figures).
 * Called from an effect, which Preact runs once the screen has been painted.
 */
let marked = false;
export function markUsable(): void {
  if (marked) return;
  marked = true;
  performance.mark("ironfield:usable");
}
