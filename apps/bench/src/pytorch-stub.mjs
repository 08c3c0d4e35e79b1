// A stand-in for apps/bench/python/torch_contender.py in the PyTorch contender's tests: the
// same JSON-lines protocol, with 2 ms a run reported, and a refusal when the case says so or
// when a masked row comes without one length per sample (as the script refuses it).
import { createInterface } from 'node:readline';

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  let reply;
  if (request.op === 'setup') {
    const { lengths } = request;
    if (request.case.id === 'refused') reply = { error: 'RuntimeError: no such row' };
    else if (request.case.model.masking === true && !(Array.isArray(lengths) && lengths.length === request.case.samples)) {
      reply = { error: `ValueError: a masked row needs "lengths", one per sample (${request.case.samples})` };
    }
    else reply = { ok: true, torch: 'stub', blas: request.case.id === 'slow blas' ? 'reference' : 'openblas' };
  }
  else if (request.op === 'time') reply = { ms: request.runs * 2 };
  else if (request.op === 'close') process.exit(0);
  else reply = { error: `unknown op ${request.op}` };
  process.stdout.write(`${JSON.stringify(reply)}\n`);
});
