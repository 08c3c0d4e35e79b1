// End-to-end test of the built playground in Debian's Chromium, driven by playwright-core
// (which never downloads a browser). It builds nothing: run `vite build` first
// (`pnpm --filter @rnnkit/playground build`), then `pnpm --filter @rnnkit/playground test:e2e`.
//
// It serves dist/ on 127.0.0.1 (a free port), opens the page, trains a small LSTM on the
// sine task through @rnnkit/worker (a train-worker Web Worker), and checks that the loss
// shown falls, that the heat maps are drawn and follow the model as it trains, that pause
// freezes training and resume continues it, that reset clears the page, that the WebAssembly
// kernels train; then the
// gradient-flow panel, the model downloads (TF.js files and ONNX), "Compare cells", a CSV
// upload (and bad files), the variable-length task and the Lion plugin. Screenshots go to
// test-results/. Exit code 0 when every check passes.
//
// CHROMIUM=/path/to/chromium overrides the browser; E2E_TIMEOUT_MS the time budget per wait.
/* global document, window, navigator, MutationObserver, setTimeout */
import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(appDir, 'dist');
const screenshotPath = join(appDir, 'test-results', 'playground.png');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const waitMs = Number(process.env.E2E_TIMEOUT_MS ?? 60_000);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** A minimal static file server for dist/ (module scripts and workers need the right MIME type). */
function serve(root) {
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      let file = normalize(join(root, path));
      if (relative(root, file).split(sep)[0] === '..') throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        // Cross-origin isolation, as vite.config.ts serves it: SharedArrayBuffer for threads.
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      response.end(body);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const results = [];
let failed = false;

/** Runs one named check; after a failure the remaining checks are skipped (they build on each other). */
async function check(name, body) {
  if (failed) {
    results.push({ name, status: 'skipped' });
    console.log(`  - ${name} (skipped)`);
    return;
  }
  const started = Date.now();
  try {
    const note = await body();
    results.push({ name, status: 'passed' });
    console.log(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ''}`);
  } catch (error) {
    failed = true;
    results.push({ name, status: 'failed' });
    console.log(`  ✗ ${name}\n    ${String(error?.message ?? error).split('\n').join('\n    ')}`);
  }
}

/** A CSV of hourly rows: a time column, temp (a daily sine), wind and a text column. */
function weatherCsv(rows) {
  const lines = ['time,temp,wind,site'];
  for (let k = 0; k < rows; k++) {
    const time = new Date(Date.UTC(2024, 0, 1, k)).toISOString();
    lines.push(`${time},${(10 + 5 * Math.sin((2 * Math.PI * k) / 24)).toFixed(2)},${(3 + Math.cos(k / 7)).toFixed(2)},north`);
  }
  return `${lines.join('\n')}\n`;
}

/** The loss the page shows (the `data-value` of the loss figure), or NaN before there is one. */
async function shownLoss(page) {
  const raw = await page.getByTestId('loss').getAttribute('data-value');
  return raw ? Number(raw) : Number.NaN;
}

async function main() {
  if (!existsSync(join(distDir, 'index.html'))) {
    console.error('playground e2e: apps/playground/dist is missing; build first: pnpm --filter @rnnkit/playground build');
    console.log('playground e2e: 0 passed, 1 failed');
    return 1;
  }
  if (!existsSync(executablePath)) {
    console.error(`playground e2e: no Chromium at ${executablePath}; install it (apt-get install chromium) or set CHROMIUM`);
    console.log('playground e2e: 0 passed, 1 failed');
    return 1;
  }

  const server = await serve(distDir);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const pageErrors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
    });
    const workerUrls = [];
    page.on('worker', (worker) => {
      workerUrls.push(worker.url());
      worker.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`worker console error: ${message.text()}`);
      });
    });
    console.log(`playground e2e: ${url} in ${executablePath}`);

    await check('the page loads, ready to train', async () => {
      await page.goto(url, { waitUntil: 'load' });
      await page.getByText('Ready. Choose a task and press Start.').waitFor();
      if (pageErrors.length > 0) throw new Error(pageErrors.join('\n'));
    });

    let firstLoss = Number.NaN;
    await check('training a small LSTM on the sine task lowers the loss shown', async () => {
      await page.getByLabel('Task').selectOption('sine');
      await page.getByLabel('Recurrent layer').selectOption('LSTM');
      await page.getByLabel('Units').selectOption('8');
      await page.getByLabel('Window length (time steps)').fill('12');
      await page.getByLabel('Optimizer').selectOption('adam');
      await page.getByLabel('Learning rate').fill('0.01');
      await page.getByLabel('Epochs').fill('2000'); // more than the test needs: it resets the run
      // Record every loss the page shows, from the very first one on.
      await page.evaluate(() => {
        const shown = document.querySelector('[data-testid="loss"]');
        window.shownLosses = [];
        new MutationObserver(() => {
          const value = Number(shown.getAttribute('data-value'));
          if (value > 0) window.shownLosses.push(value);
        }).observe(shown, { attributes: true, attributeFilter: ['data-value'] });
      });
      await page.getByTestId('start').click();
      await page.waitForFunction(() => window.shownLosses.length > 0);
      firstLoss = await page.evaluate(() => window.shownLosses[0]);
      await page.waitForFunction(
        (limit) => Number(document.querySelector('[data-testid="loss"]')?.getAttribute('data-value')) < limit,
        firstLoss / 2,
      );
      // The page's only worker script is the one that serves @rnnkit/worker's trainInWorker.
      const training = workerUrls.filter((u) => /\/train-worker-[^/]*\.js$/.test(u));
      if (training.length === 0) throw new Error(`no train-worker was started; workers: ${JSON.stringify(workerUrls)}`);
      return `first shown ${firstLoss.toPrecision(3)}, now ${(await shownLoss(page)).toPrecision(3)}; through ${training.length} @rnnkit/worker worker(s)`;
    });

    await check('the heat maps of the gates and states are drawn', async () => {
      await page.waitForFunction(() => document.querySelector('[data-testid="probe"]')?.hasAttribute('data-epoch'));
      const cells = await page.evaluate(() => {
        const count = {};
        for (const panel of document.querySelectorAll('[data-testid="probe"] .panel')) {
          count[panel.getAttribute('data-trace')] = panel.querySelectorAll('.mark-rect path').length;
        }
        return count;
      });
      for (const name of ['i', 'f', 'o', 'c', 'h']) {
        if (cells[name] !== 8 * 12) throw new Error(`expected 96 cells (8 units × 12 steps) in heat map ${name}, got ${JSON.stringify(cells)}`);
      }
      const lines = await page.locator('[data-testid="loss-chart"] .mark-line path').count();
      if (lines < 1) throw new Error('the loss chart has no line');
      return `cells per map: ${JSON.stringify(cells)}`;
    });

    await check('the heat maps, predictions and gradient flow follow the model while it trains', async () => {
      // The worker sends its weights back after epochs (@rnnkit/worker's snapshots): the panels
      // show the model after an epoch past 0 while the run (100 epochs) is still training.
      const shown = await page.waitForFunction(() => {
        const epochs = ['probe', 'prediction-chart', 'gradient-flow'].map((id) =>
          Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-epoch')),
        );
        return epochs[0] > 0 && epochs.every((e) => e === epochs[0]) ? epochs[0] : false;
      });
      const epoch = await shown.jsonValue();
      const status = await page.getByTestId('status').textContent();
      const total = Number((await page.getByTestId('epoch').textContent())?.split('/')[1]);
      if (!/^Training/.test(status ?? '') || !(epoch < total)) throw new Error(`expected an epoch before the last (${total}) while training, got ${epoch} ("${status}")`);
      // And again later, for a newer epoch.
      await page.waitForFunction((before) => Number(document.querySelector('[data-testid="probe"]')?.getAttribute('data-epoch')) > before, epoch);
      const later = Number(await page.getByTestId('probe').getAttribute('data-epoch'));
      return `drawn for epoch ${epoch}, then ${later}, of ${total}, during the run`;
    });

    await check('the page stays responsive while the worker trains', async () => {
      const started = Date.now();
      for (let k = 0; k < 5; k++) await page.evaluate(() => document.title);
      const ms = (Date.now() - started) / 5;
      if (ms > 500) throw new Error(`a round trip to the page took ${ms.toFixed(0)} ms`);
      return `${ms.toFixed(0)} ms per round trip`;
    });

    await check('pause freezes the loss, resume trains on', async () => {
      await page.getByTestId('pause').click();
      await page.getByText(/^Paused after epoch \d+/).waitFor();
      const epochAtPause = await page.getByTestId('epoch').textContent();
      const lossAtPause = await shownLoss(page);
      await sleep(800);
      if ((await shownLoss(page)) !== lossAtPause || (await page.getByTestId('epoch').textContent()) !== epochAtPause) {
        throw new Error('the loss or epoch changed while paused');
      }
      await page.screenshot({ path: screenshotPath, fullPage: true });
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.waitForFunction((before) => document.querySelector('[data-testid="epoch"]')?.textContent !== before, epochAtPause);
      return `paused at epoch ${epochAtPause}; screenshot ${relative(process.cwd(), screenshotPath)}`;
    });

    await check('reset stops training and clears the page', async () => {
      await page.getByTestId('reset').click();
      await page.getByText('Ready. Choose a task and press Start.').waitFor();
      if ((await page.getByTestId('loss').textContent()) !== '–') throw new Error('the loss is still shown after reset');
      if ((await page.locator('[data-testid="probe"] .panel').count()) !== 0) throw new Error('heat maps remain after reset');
      if (await page.getByLabel('Task').isDisabled()) throw new Error('the settings are still locked after reset');
    });

    await check('the WebAssembly kernels train too, on worker threads in the isolated page', async () => {
      if (!(await page.evaluate(() => window.crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
      await page.getByLabel('Kernels').selectOption('wasm');
      await page.evaluate(() => {
        window.shownLosses = [];
      });
      await page.getByTestId('start').click();
      await page.waitForFunction(() => /^wasm-(relaxed-)?simd/.test(document.querySelector('[data-testid="kernels"]')?.textContent ?? ''));
      await page.waitForFunction(() => window.shownLosses.length > 0);
      const first = await page.evaluate(() => window.shownLosses[0]);
      await page.waitForFunction(
        (limit) => Number(document.querySelector('[data-testid="loss"]')?.getAttribute('data-value')) < limit,
        first / 2,
      );
      const kernels = await page.getByTestId('kernels').textContent();
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      if (cores > 1 && !/threads/.test(kernels ?? '')) throw new Error(`expected worker threads on ${cores} cores, the page shows "${kernels}"`);
      await page.getByTestId('reset').click();
      await page.getByText('Ready. Choose a task and press Start.').waitFor();
      return `kernels: ${kernels}; first shown ${first.toPrecision(3)}, then below half`;
    });

    await check('a finished run shows the trained model and its gradient flow, in finite numbers', async () => {
      await page.getByLabel('Kernels').selectOption('js');
      await page.getByLabel('Epochs').fill('15');
      await page.getByTestId('start').click();
      await page.getByText('Done: trained for 15 epochs.', { exact: false }).waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="probe"]')?.getAttribute('data-epoch') === '15');
      const rows = JSON.parse((await page.getByTestId('gradient-flow').getAttribute('data-rows')) ?? '[]');
      for (const state of ['h', 'c']) {
        const steps = rows.filter((row) => row.state === state);
        if (steps.length !== 12) throw new Error(`expected 12 steps of ‖∂L/∂${state}_t‖, got ${JSON.stringify(rows)}`);
        if (!steps.every((row) => Number.isFinite(row.norm) && row.norm > 0)) throw new Error(`non-finite norms: ${JSON.stringify(steps)}`);
      }
      const lines = await page.locator('[data-testid="gradient-flow"] .mark-line path').count();
      if (lines < 2) throw new Error(`expected a line for h and one for c, got ${lines}`);
      await page.getByRole('heading', { name: 'Gradient flow', exact: true }).waitFor();
      const h = rows.filter((row) => row.state === 'h');
      return `‖∂L/∂h_t‖ from ${h[0].norm.toPrecision(3)} (t = 1) to ${h.at(-1).norm.toPrecision(3)} (t = 12)`;
    });

    await check('the trained model downloads as TF.js files (model.json that parses, weights) and as ONNX', async () => {
      const saved = {};
      const save = async (download) => {
        const path = await download.path();
        saved[download.suggestedFilename()] = await readFile(path);
      };
      // The TF.js button hands over two files: model.json and the weight file its manifest names.
      const tfjs = [];
      const listener = (download) => tfjs.push(download);
      page.on('download', listener);
      await page.getByTestId('download-tfjs').click();
      const started = Date.now();
      while (tfjs.length < 2 && Date.now() - started < waitMs) await sleep(50);
      page.off('download', listener);
      for (const download of tfjs) await save(download);
      const json = JSON.parse(saved['model.json']?.toString('utf8') ?? 'null');
      if (json?.format !== 'layers-model') throw new Error(`model.json did not parse as a layers model: ${Object.keys(saved)}`);
      const weightFile = json.weightsManifest[0].paths[0];
      const specs = json.weightsManifest.flatMap((group) => group.weights);
      const expectedBytes = specs.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      if (saved[weightFile]?.length !== expectedBytes) throw new Error(`expected ${expectedBytes} bytes in ${weightFile}, got ${saved[weightFile]?.length}`);
      const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-onnx').click()]);
      await save(onnx);
      if (onnx.suggestedFilename() !== 'model.onnx' || !(saved['model.onnx']?.length > 0)) throw new Error('no model.onnx, or an empty one');
      return Object.entries(saved).map(([name, bytes]) => `${name} ${bytes.length} B`).join(', ');
    });

    await check('"Compare cells" trains SimpleRNN, LSTM and GRU and draws them together', async () => {
      await page.getByTestId('reset').click();
      await page.getByText('Ready. Choose a task and press Start.').waitFor();
      await page.getByLabel('Epochs').fill('10');
      await page.getByRole('heading', { name: 'Compare cells', exact: true }).waitFor();
      await page.getByTestId('compare').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="compare-status"]')?.getAttribute('data-cells') === 'SimpleRNN,LSTM,GRU');
      const lines = await page.locator('[data-testid="compare-loss"] .mark-line path').count();
      if (lines < 6) throw new Error(`expected training and test lines for 3 cells, got ${lines}`);
      const rows = JSON.parse((await page.getByTestId('compare-gradient-flow').getAttribute('data-rows')) ?? '[]');
      const series = [...new Set(rows.map((row) => row.series))];
      for (const cell of ['SimpleRNN', 'LSTM', 'GRU']) {
        if (!series.some((name) => name.startsWith(`${cell} `))) throw new Error(`no gradient flow for ${cell}: ${JSON.stringify(series)}`);
      }
      if (!rows.every((row) => Number.isFinite(row.norm) && row.norm > 0)) throw new Error('non-finite gradient norms');
      if (await page.getByTestId('start').isDisabled()) throw new Error('Start is still locked after the comparison');
      return (await page.getByTestId('compare-status').textContent()) ?? '';
    });

    await check('an uploaded CSV trains as a time-series task; bad files give one escaped line', async () => {
      await page.getByLabel('Task').selectOption('csv');
      await page.getByLabel('CSV file').setInputFiles({ name: 'weather.csv', mimeType: 'text/csv', buffer: Buffer.from(weatherCsv(120)) });
      await page.waitForFunction(() => document.querySelector('#csv-fields')?.getAttribute('data-columns') === '4');
      await page.getByLabel('Target column').selectOption('temp');
      await page.getByLabel('Feature columns').selectOption(['wind']);
      await page.getByLabel('Window length (time steps)').fill('8');
      await page.getByLabel('Epochs').fill('10');
      await page.getByTestId('start').click();
      await page.getByText('Done: trained for 10 epochs.', { exact: false }).waitFor();
      const loss = await shownLoss(page);
      if (!(loss > 0 && Number.isFinite(loss))) throw new Error(`the loss shown is ${loss}`);
      if ((await page.locator('[data-testid="prediction-chart"] .mark-line path').count()) < 2) throw new Error('no prediction lines');
      await page.getByTestId('reset').click();
      await page.getByText('Ready. Choose a task and press Start.').waitFor();

      const shownError = async () => page.evaluate(() => {
        const p = document.querySelector('#form-error');
        return { hidden: p.hidden, text: p.textContent, html: p.innerHTML };
      });
      // A cell with markup in it: parseTimeSeries' message quotes it, the page shows it as text.
      await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('time,temp\n2024-01-01 00:00,1\n2024-01-01 01:00,<img src=x onerror=alert(1)>\n') });
      await page.waitForFunction(() => document.querySelector('#csv-fields')?.getAttribute('data-columns') === '2');
      await page.getByTestId('start').click();
      await page.waitForFunction(() => !document.querySelector('#form-error').hidden);
      const cell = await shownError();
      if (!cell.text.includes('<img src=x onerror=alert(1)>') || cell.html.includes('<img') || cell.text.includes('\n')) {
        throw new Error(`expected the bad cell as one line of text, got ${JSON.stringify(cell)}`);
      }
      if ((await page.locator('#form-error img').count()) !== 0) throw new Error('markup from the file became an element');
      // A binary file: refused when chosen.
      await page.getByLabel('CSV file').setInputFiles({ name: 'data.zip', mimeType: 'application/zip', buffer: Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]) });
      await page.waitForFunction(() => /not text/.test(document.querySelector('#form-error').textContent));
      const binary = await shownError();
      if (await page.getByLabel('Task').isDisabled()) throw new Error('the page locked after a bad file');
      await page.getByLabel('Task').selectOption('sine');
      return `trained to loss ${loss.toPrecision(3)}; bad cell: ${cell.text}; binary: ${binary.text}`;
    });

    await check('the variable-length task (padded, masked) trains', async () => {
      await page.getByLabel('Task').selectOption('mean');
      await page.getByLabel('Recurrent layer').selectOption('LSTM');
      await page.getByLabel('Units').selectOption('8');
      await page.getByLabel('Longest sequence (time steps)').fill('10');
      await page.getByLabel('Epochs').fill('20');
      await page.evaluate(() => {
        window.shownLosses = [];
      });
      await page.getByTestId('start').click();
      await page.getByText('Done: trained for 20 epochs.', { exact: false }).waitFor();
      const losses = await page.evaluate(() => window.shownLosses);
      const last = await shownLoss(page);
      if (!(last < losses[0] / 2)) throw new Error(`the loss went from ${losses[0]} to ${last}, not below half`);
      await page.waitForFunction(() => document.querySelector('[data-testid="probe"]')?.getAttribute('data-epoch') === '20');
      const points = await page.locator('[data-testid="prediction-chart"] .mark-symbol path').count();
      if (points !== 128) throw new Error(`expected 128 test sequences in the predictions chart, got ${points}`);
      const rows = JSON.parse((await page.getByTestId('gradient-flow').getAttribute('data-rows')) ?? '[]');
      if (rows.length === 0 || !rows.every((row) => Number.isFinite(row.norm) && row.norm > 0)) throw new Error(`bad gradient flow ${JSON.stringify(rows)}`);
      // The mask exports too (its valid steps counted as the ONNX operators' sequence_lens).
      const [onnx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-onnx').click()]);
      const bytes = await readFile(await onnx.path());
      if (onnx.suggestedFilename() !== 'model.onnx' || !(bytes.length > 0)) throw new Error('no model.onnx for the masked model, or an empty one');
      await page.getByTestId('reset').click();
      return `loss ${losses[0].toPrecision(3)} → ${last.toPrecision(3)}; model.onnx ${bytes.length} B`;
    });

    await check('the Lion plugin trains on the worker (sent by name, put back in the worker)', async () => {
      await page.getByText('Ready. Choose a task and press Start.').waitFor();
      await page.getByLabel('Task').selectOption('sine');
      await page.getByLabel('Optimizer').selectOption('lion');
      await page.getByLabel('Epochs').fill('5');
      await page.getByTestId('start').click();
      await page.getByText('Done: trained for 5 epochs.', { exact: false }).waitFor();
      const loss = await shownLoss(page);
      if (!Number.isFinite(loss)) throw new Error(`the loss shown is ${loss}`);
      if (!(await page.locator('#form-error').isHidden())) throw new Error(await page.locator('#form-error').textContent());
      await page.screenshot({ path: screenshotPath.replace(/\.png$/, '-done.png'), fullPage: true });
      await page.getByTestId('reset').click();
      return `loss ${loss.toPrecision(3)} after 5 epochs`;
    });

    await check('trainInWorker on a Web Worker gives the weights fit gives on the page, bit for bit (worker-check.html)', async () => {
      const checkPage = await browser.newPage();
      checkPage.setDefaultTimeout(waitMs);
      checkPage.on('pageerror', (error) => pageErrors.push(`worker-check page error: ${error.message}`));
      await checkPage.goto(`${url}worker-check.html`, { waitUntil: 'load' });
      await checkPage.waitForFunction(() => document.querySelector('[data-testid="result"]')?.getAttribute('data-result') !== '');
      const result = await checkPage.getByTestId('result').getAttribute('data-result');
      const detail = await checkPage.getByTestId('result').textContent();
      await checkPage.close();
      if (result !== 'equal') throw new Error(`the worker's weights are not fit's: ${detail}`);
      return detail;
    });

    await check('no errors in the page or the worker', async () => {
      if (pageErrors.length > 0) throw new Error(pageErrors.join('\n'));
    });

    if (failed) {
      await page.screenshot({ path: screenshotPath.replace(/\.png$/, '-failure.png'), fullPage: true }).catch(() => {});
    }
  } finally {
    await browser.close();
    server.close();
  }

  const count = (status) => results.filter((r) => r.status === status).length;
  const skipped = count('skipped');
  console.log(`playground e2e: ${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed ? 1 : 0;
}

await mkdir(dirname(screenshotPath), { recursive: true });
// A hard limit, so a hung browser can never hang CI.
const watchdog = setTimeout(() => {
  console.error('playground e2e: gave up after 4 minutes');
  process.exit(1);
}, 240_000);
watchdog.unref();
try {
  process.exitCode = await main();
} catch (error) {
  console.error(`playground e2e: ${error?.stack ?? error}`);
  console.log('playground e2e: 0 passed, 1 failed');
  process.exitCode = 1;
}
