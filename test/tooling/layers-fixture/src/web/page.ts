// A deliberate wrong import: the web reads the store directly.
import { rows } from '../store/rows.js';

export const page = rows.length;
