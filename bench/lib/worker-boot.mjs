// Starts a TypeScript worker thread under tsx (a worker does not inherit the parent's loader).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
