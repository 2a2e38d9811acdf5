// An ES module by its package's "type", loaded from a subfolder.
import { helper } from './helper.js';

export const handler = async (event) => ({ module: true, value: helper(event.n) });
