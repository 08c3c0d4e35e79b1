// Public API of @rnnkit/gradcheck. Everything a user may import is listed here by name.
export type { GradientSubject } from './subject.js';
export { gradientSubject, type GradientSubjectDefinition } from './make-subject.js';
export {
  checkGradients,
  experiment4Preset,
  type CheckGradientsOptions,
  type GradientEntry,
  type GradientReport,
} from './check.js';
