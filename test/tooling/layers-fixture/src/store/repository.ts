// A deliberate wrong import: the store calls a use case.
import { helper } from '../services/helper.js';
import { rows } from './rows.js';

export const repository = [...rows, helper];
