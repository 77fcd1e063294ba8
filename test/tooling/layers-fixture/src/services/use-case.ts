// A deliberate wrong import: a use case knows a page.
import { page } from '../web/page.js';

export const useCase = page + 1;
