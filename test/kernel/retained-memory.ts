/**
 * Test helper: the memory this process's JavaScript holds on to (live heap objects, and the
 * buffers outside the heap that they reference) right after a full garbage collection. Unlike RSS
 * it does not keep the peak of garbage already freed, nor the allocator's slack, so a difference
 * of two readings measures what was retained in between.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
// A context made after the flag is set has `gc`.
const collect = runInNewContext('gc') as () => void;

export function retainedBytes(): number {
  collect();
  collect(); // a second pass frees what the first one's finalizers let go
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}
