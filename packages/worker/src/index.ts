// Public API of @rnnkit/worker. Everything a user may import is listed here by name.
export {
  type TrainInWorkerOptions,
  type WorkerTrainingResult,
  type TrainingJob,
  trainInWorker,
} from './train.js';
export {
  type TensorMessage,
  type WorkerFitOptions,
  type WorkerHistory,
  type ToWorker,
  type FromWorker,
  type ErrorMessage,
  type ModelSnapshot,
} from './protocol.js';
export { type SnapshotOptions, applySnapshot } from './snapshot.js';
export { type WorkerPort, serveTraining } from './serve.js';
export {
  type WorkerTransport,
  type BrowserWorkerLike,
  type BrowserWorkerScopeLike,
  browserWorkerTransport,
  browserWorkerPort,
} from './transport.js';
export { nodeWorkerTransport } from './node.js';
