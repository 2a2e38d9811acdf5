// An ES module by its package's "type", loaded from a subfolder.
import { double } from './double.js';

export const handler = async (event) => ({ module: true, value: double(event.n) });
