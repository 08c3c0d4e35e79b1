// A stand-in for apps/bench/python/torch_contender.py in the PyTorch contender's tests: the
// same JSON-lines protocol, with 2 ms a run reported, and a refusal when the case says so.
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  let reply;
  if (request.op === 'setup') reply = request.case.id === 'refused' ? { error: 'RuntimeError: no such row' } : { ok: true, torch: 'stub' };
  else if (request.op === 'time') reply = { ms: request.runs * 2 };
  else if (request.op === 'close') process.exit(0);
  else reply = { error: `unknown op ${request.op}` };
  process.stdout.write(`${JSON.stringify(reply)}\n`);
});
