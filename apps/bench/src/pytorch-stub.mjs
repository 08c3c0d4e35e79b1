// A stand-in for apps/bench/python/torch_contender.py in the PyTorch contender's tests: the
// same JSON-lines protocol, with 2 ms a run reported, and a refusal when the case says so.
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  let reply;
  if (request.op === 'setup') {
    if (request.case.id === 'refused') reply = { error: 'RuntimeError: no such row' };
    else reply = { ok: true, torch: 'stub', blas: request.case.id === 'slow blas' ? 'reference' : 'openblas' };
  }
  else if (request.op === 'time') reply = { ms: request.runs * 2 };
  else if (request.op === 'close') process.exit(0);
  else reply = { error: `unknown op ${request.op}` };
  process.stdout.write(`${JSON.stringify(reply)}\n`);
});
