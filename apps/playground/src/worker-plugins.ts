// Optimizer plugins by name, for the training worker. Only plain data crosses to a worker, so
// the page sends an optimizer by name; `fit` knows the built-in names, and the one plugin of
// the page — Lion, the example of a user's own optimizer package — is put back here, in the
// worker, before `fit` sees the options.
import { lion } from '@rnnkit/optimizer-lion';
import type { ToWorker } from '@rnnkit/worker';

/** The plugins the worker puts in place of their names. */
export const WORKER_PLUGINS = { lion } as const;

/** `message` with a plugin's name in `options.optimizer` replaced by the plugin itself (other messages as they are). */
export function withPlugins(message: ToWorker): ToWorker {
  if (message.type !== 'train') return message;
  const name = message.options.optimizer;
  if (!Object.hasOwn(WORKER_PLUGINS, name)) return message;
  const plugin = WORKER_PLUGINS[name as keyof typeof WORKER_PLUGINS];
  // serveTraining passes the options to fit as they are, and fit takes a plugin where it takes a name.
  return { ...message, options: { ...message.options, optimizer: plugin as unknown as string } };
}
