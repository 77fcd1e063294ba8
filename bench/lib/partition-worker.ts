import { parentPort, workerData } from 'node:worker_threads';
import { runPartition, type PartitionJob } from './partition.js';

/** Worker thread: writes one partition of the generated data and reports progress. */
const job = (workerData as { job: PartitionJob }).job;
const result = runPartition(job, (applications, rows) => parentPort!.postMessage({ type: 'progress', applications, rows }));
parentPort!.postMessage({ type: 'done', result });
