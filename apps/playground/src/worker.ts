// The training worker: receives commands from the page, runs one TrainingSession at a time
// and posts its reports back. Training here keeps the page's main thread free.
import type { Command, Report } from './protocol.js';
import { TrainingSession } from './session.js';

// The worker's global scope, typed by what we use of it (the DOM and WebWorker libraries
// cannot both be loaded in one program).
const scope = globalThis as unknown as {
  postMessage(report: Report): void;
  onmessage: ((event: MessageEvent<Command>) => void) | null;
};

const post = (report: Report): void => scope.postMessage(report);
let session: TrainingSession | null = null;

scope.onmessage = ({ data: command }) => {
  if (command.type === 'start') {
    session?.stop();
    try {
      session = new TrainingSession(command.id, command.config, post);
    } catch (error) {
      session = null;
      post({ type: 'error', id: command.id, message: error instanceof Error ? error.message : String(error) });
      post({ type: 'status', id: command.id, status: 'failed', epoch: 0 });
      return;
    }
    void session.start();
    return;
  }
  if (session === null || session.id !== command.id) return; // a command for a run that has ended
  if (command.type === 'pause') session.pause();
  else if (command.type === 'resume') void session.resume();
  else {
    session.stop();
    session = null;
  }
};
