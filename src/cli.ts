#!/usr/bin/env node
import { relaunchWithHeapLimits, stopWhenOrphaned } from './cli/heap.js';

// `serve` starts itself again under the V8 heap limits of decision 0016 (src/cli/heap.ts); this
// first step imports nothing else, so that the process that only waits stays small.
let relaunched = false;
try {
  relaunched = relaunchWithHeapLimits(process.argv.slice(2));
} catch (err) {
  console.error(`kei-oss: ${(err as Error).message}`);
  process.exit(2);
}
if (!relaunched) {
  stopWhenOrphaned();
  await import('./cli/main.js');
}
