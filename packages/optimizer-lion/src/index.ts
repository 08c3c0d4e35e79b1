// Public API of @rnnkit/optimizer-lion.
export { type LionOptions, type LionState, lion } from './lion.js';
