// Two deliberate wrong imports: the domain does I/O, and reaches outside src/domain.
import { readFileSync } from 'node:fs';
import { helper } from '../services/helper.js';
import { pure } from './pure.js';

export const rule = () => readFileSync('x', 'utf8') + helper + pure;
