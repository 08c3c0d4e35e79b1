// The page: reads the settings, runs training on a Web Worker through @rnnkit/worker, and
// keeps the numbers and charts up to date. Training never runs here, so the page stays responsive.
import './style.css';
import { LossChart, PredictionChart } from './charts.js';
import { compareView } from './compare-view.js';
import { csvForm, oneLine } from './csv-form.js';
import { downloadView } from './download-view.js';
import { GradientFlowChart } from './gradient-chart.js';
import { gradientRows } from './gradient-flow.js';
import { ProbePanels } from './probe-panels.js';
import {
  type BackendName,
  DEFAULT_LEARNING_RATES,
  type EpochLog,
  type LayerKind,
  type OptimizerName,
  type RunStatus,
  type Snapshot,
  type TaskName,
  type TaskView,
  type TrainingConfig,
} from './config.js';
import { TrainingRun } from './training.js';
import { webWorkerTransport } from './worker-client.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`playground: the page has no #${id}`);
  return found as T;
}

const ui = {
  app: element<HTMLDivElement>('app'),
  form: element<HTMLFormElement>('settings'),
  fields: element<HTMLFieldSetElement>('settings-fields'),
  task: element<HTMLSelectElement>('task'),
  taskHelp: element<HTMLParagraphElement>('task-help'),
  layer: element<HTMLSelectElement>('layer'),
  units: element<HTMLSelectElement>('units'),
  timeSteps: element<HTMLInputElement>('time-steps'),
  timeStepsLabel: element<HTMLLabelElement>('time-steps-label'),
  optimizer: element<HTMLSelectElement>('optimizer'),
  learningRate: element<HTMLInputElement>('learning-rate'),
  epochs: element<HTMLInputElement>('epochs'),
  batchSize: element<HTMLSelectElement>('batch-size'),
  seed: element<HTMLInputElement>('seed'),
  pace: element<HTMLSelectElement>('pace'),
  backend: element<HTMLSelectElement>('backend'),
  kernels: element<HTMLElement>('kernels'),
  formError: element<HTMLParagraphElement>('form-error'),
  start: element<HTMLButtonElement>('start'),
  pause: element<HTMLButtonElement>('pause'),
  reset: element<HTMLButtonElement>('reset'),
  status: element<HTMLParagraphElement>('status'),
  epoch: element<HTMLElement>('epoch'),
  loss: element<HTMLElement>('loss'),
  testLoss: element<HTMLElement>('test-loss'),
  accuracyItem: element<HTMLElement>('accuracy-item'),
  accuracy: element<HTMLElement>('accuracy'),
  speed: element<HTMLElement>('speed'),
  parameters: element<HTMLElement>('parameters'),
  lossChart: element<HTMLDivElement>('loss-chart'),
  predictionChart: element<HTMLDivElement>('prediction-chart'),
  predictionHelp: element<HTMLParagraphElement>('prediction-help'),
  probeTitle: element<HTMLHeadingElement>('probe-title'),
  probeHelp: element<HTMLParagraphElement>('probe-help'),
  probe: element<HTMLDivElement>('probe'),
  gradientChart: element<HTMLDivElement>('gradient-chart'),
  csvFields: element<HTMLDivElement>('csv-fields'),
  csvFile: element<HTMLInputElement>('csv-file'),
  csvTime: element<HTMLSelectElement>('csv-time'),
  csvTarget: element<HTMLSelectElement>('csv-target'),
  csvFeatures: element<HTMLSelectElement>('csv-features'),
  downloadTfjs: element<HTMLButtonElement>('download-tfjs'),
  downloadOnnx: element<HTMLButtonElement>('download-onnx'),
  compare: element<HTMLButtonElement>('compare'),
  compareStop: element<HTMLButtonElement>('compare-stop'),
  compareStatus: element<HTMLParagraphElement>('compare-status'),
  compareLossChart: element<HTMLDivElement>('compare-loss-chart'),
  compareGradientChart: element<HTMLDivElement>('compare-gradient-chart'),
};

/** Per task: the time-steps field and the words around the predictions chart. */
const TASK_TEXT: Readonly<Record<TaskName, { label: string; min: number; max: number; value: number; help: string; predictions: string }>> = {
  sine: {
    label: 'Window length (time steps)',
    min: 2,
    max: 60,
    value: 20,
    help: 'A noisy sine, cut into windows; the network predicts the value after each window.',
    predictions: 'The next value predicted for every window; the shaded part was never trained on.',
  },
  csv: {
    label: 'Window length (time steps)',
    min: 2,
    max: 60,
    value: 12,
    help: 'Your own CSV: a time column, a target column and feature columns; the network predicts the target after each window.',
    predictions: 'The next target value predicted for every window (scaled to [−1, 1]); the shaded part was never trained on.',
  },
  mean: {
    label: 'Longest sequence (time steps)',
    min: 3,
    max: 40,
    value: 12,
    help: 'Sequences of random length, padded with zeros and masked (a Masking layer); the network predicts the mean of each.',
    predictions: 'Predicted mean against the true mean for 128 test sequences, coloured by length.',
  },
  addition: {
    label: 'Bits per number (time steps)',
    min: 3,
    max: 16,
    value: 8,
    help: 'Two numbers, one bit of each per step, least significant first; the network outputs each bit of the sum.',
    predictions: 'Predicted sum against the true sum for 128 test additions the network never saw.',
  },
};

type PageState = 'idle' | RunStatus;

interface Charts {
  readonly loss: LossChart;
  readonly predictions: PredictionChart;
  readonly probe: ProbePanels;
  readonly gradients: GradientFlowChart;
}

/** One run as the page sees it. */
interface Run {
  readonly training: TrainingRun;
  readonly config: TrainingConfig;
  readonly view: TaskView;
  /** The charts, made at the first snapshot. */
  charts: Promise<Charts> | null;
  /** Epochs not yet drawn, and the newest snapshot not yet drawn. */
  pendingLogs: EpochLog[];
  pendingSnapshot: Snapshot | null;
  /** When the loss within an epoch was last shown (progress arrives every batch). */
  lastProgress: number;
}

let run: Run | null = null;

// ———————————————————————————————————————— settings

function readConfig(): TrainingConfig {
  return {
    task: ui.task.value as TaskName,
    layer: ui.layer.value as LayerKind,
    units: Number(ui.units.value),
    timeSteps: Number(ui.timeSteps.value),
    optimizer: ui.optimizer.value as OptimizerName,
    learningRate: Number(ui.learningRate.value),
    epochs: Number(ui.epochs.value),
    batchSize: Number(ui.batchSize.value),
    seed: Number(ui.seed.value),
    epochDelayMs: Number(ui.pace.value),
    backend: ui.backend.value as BackendName,
  };
}

function applyTaskText(): void {
  const text = TASK_TEXT[ui.task.value as TaskName];
  ui.timeStepsLabel.textContent = text.label;
  ui.timeSteps.min = String(text.min);
  ui.timeSteps.max = String(text.max);
  ui.timeSteps.value = String(text.value);
  ui.taskHelp.textContent = text.help;
  ui.predictionHelp.textContent = text.predictions;
  csv.show(ui.task.value === 'csv');
}

const csv = csvForm(
  { fields: ui.csvFields, file: ui.csvFile, time: ui.csvTime, target: ui.csvTarget, features: ui.csvFeatures },
  (message) => showError(message),
  () => {
    ui.formError.hidden = true;
  },
);

/** The settings, with the CSV task's series read from the chosen file; rejects with a one-line message. */
async function readFullConfig(): Promise<TrainingConfig> {
  const config = readConfig();
  return config.task === 'csv' ? { ...config, csv: await csv.read() } : config;
}

ui.task.addEventListener('change', applyTaskText);
ui.optimizer.addEventListener('change', () => {
  ui.learningRate.value = String(DEFAULT_LEARNING_RATES[ui.optimizer.value as OptimizerName]);
});
ui.layer.addEventListener('change', () => {
  if (run === null) ui.probeTitle.textContent = `Inside the ${ui.layer.value}`;
});

// ———————————————————————————————————————— numbers

function formatLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 0.01 ? value.toFixed(4) : value.toExponential(2);
}

function showLoss(value: number): void {
  ui.loss.textContent = formatLoss(value);
  ui.loss.dataset.value = String(value);
}

function clearNumbers(): void {
  for (const dd of [ui.epoch, ui.loss, ui.testLoss, ui.accuracy, ui.speed, ui.parameters, ui.kernels]) dd.textContent = '–';
  ui.loss.dataset.value = '';
  ui.accuracyItem.hidden = true;
}

const STATUS_TEXT: Readonly<Record<PageState, (epoch: number) => string>> = {
  idle: () => 'Ready. Choose a task and press Start.',
  running: (epoch) => (epoch === 0 ? 'Training…' : `Training… (resumed after epoch ${epoch})`),
  paused: (epoch) => `Paused after epoch ${epoch}. Resume to carry on, or Reset to change the settings.`,
  done: (epoch) => `Done: trained for ${epoch} epochs. Reset to try other settings.`,
  failed: (epoch) => `Training stopped at epoch ${epoch}.`,
};

/** True while "Compare cells" trains: the page's own run waits. */
let comparing = false;

function setState(state: PageState, epoch = 0): void {
  const focused = document.activeElement; // before disabling anything, which drops focus
  ui.app.dataset.state = state;
  ui.status.textContent = STATUS_TEXT[state](epoch);
  ui.fields.disabled = state !== 'idle' || comparing;
  ui.start.disabled = state !== 'idle' || comparing;
  compare.setAvailable(state === 'idle');
  ui.pause.disabled = state !== 'running' && state !== 'paused';
  ui.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
  ui.reset.disabled = state === 'idle';
  // Keep keyboard focus on something usable when the focused control was just disabled.
  if (focused instanceof HTMLElement && ((focused as HTMLButtonElement).disabled || (ui.fields.disabled && ui.fields.contains(focused)))) {
    const next = [ui.pause, ui.reset, ui.start].find((button) => !button.disabled);
    next?.focus();
  }
}

// ———————————————————————————————————————— drawing

let drawing = false;
let drawAgain = false;

/** Draws what arrived since the last frame; one drawing at a time, the newest data wins. */
function scheduleDraw(): void {
  if (drawing) {
    drawAgain = true;
    return;
  }
  drawing = true;
  requestAnimationFrame(() => {
    void draw().finally(() => {
      drawing = false;
      if (drawAgain) {
        drawAgain = false;
        scheduleDraw();
      }
    });
  });
}

async function draw(): Promise<void> {
  const current = run;
  if (current === null || current.charts === null) return;
  const charts = await current.charts;
  if (run !== current) return; // reset meanwhile
  const logs = current.pendingLogs;
  const snapshot = current.pendingSnapshot;
  current.pendingLogs = [];
  current.pendingSnapshot = null;
  const work: Promise<void>[] = [charts.loss.append(logs)];
  if (snapshot) {
    work.push(charts.predictions.update(snapshot), charts.probe.update(snapshot), charts.gradients.update(gradientRows(snapshot.gradientFlow)));
  }
  await Promise.all(work);
  // Lets tests see which epoch's model the maps, the predictions and the gradient flow show.
  if (snapshot) for (const container of [ui.probe, ui.predictionChart, ui.gradientChart]) container.dataset.epoch = String(snapshot.epoch);
}

function disposeCharts(current: Run): void {
  void current.charts?.then((charts) => {
    charts.loss.dispose();
    charts.predictions.dispose();
    charts.probe.dispose();
    charts.gradients.dispose();
  });
}

function clearCharts(): void {
  for (const container of [ui.lossChart, ui.predictionChart, ui.probe, ui.gradientChart]) container.replaceChildren();
  delete ui.gradientChart.dataset.rows;
  for (const container of [ui.probe, ui.predictionChart, ui.gradientChart]) delete container.dataset.epoch;
  ui.probeHelp.textContent =
    'Press Start to see one input sequence travel through the layer: each map has one row per unit and one column per time step.';
}

// ———————————————————————————————————————— training reports

/** How often (ms) the loss within an epoch is shown. */
const PROGRESS_MS = 100;

function showSnapshot(current: Run, snapshot: Snapshot): void {
  current.pendingSnapshot = snapshot;
  if (snapshot.accuracy !== undefined) ui.accuracy.textContent = `${Math.round(snapshot.accuracy * 100)} %`;
  if (current.charts === null) {
    const view = current.view;
    current.charts = (async () => ({
      loss: await LossChart.create(ui.lossChart),
      predictions: await PredictionChart.create(ui.predictionChart, view),
      probe: await ProbePanels.create(ui.probe, view, snapshot.probe),
      gradients: await GradientFlowChart.create(ui.gradientChart, gradientRows(snapshot.gradientFlow)),
    }))();
    current.charts.catch((error: unknown) => showError(`Could not draw the charts: ${String(error)}`));
  }
  scheduleDraw();
}

function probeHelp(view: TaskView): string {
  if (view.task === 'mean') {
    return `The first test sequence (${view.probeInput.length} steps, without its padding), before, while and after training. Each map: one row per unit, one column per time step.`;
  }
  return view.task !== 'addition'
    ? 'The first test window, step by step, before, while and after training. Each map: one row per unit, one column per time step.'
    : `The addition ${view.probe.a} + ${view.probe.b}, one bit per step, before, while and after training. Each map: one row per unit, one column per time step.`;
}

function startRun(config: TrainingConfig): void {
  const callbacks = {
    onProgress(event: { epoch: number; loss: number; samplesPerSecond: number }) {
      if (run !== current) return;
      const now = performance.now();
      if (now - current.lastProgress < PROGRESS_MS) return;
      current.lastProgress = now;
      showLoss(event.loss);
      ui.epoch.textContent = `${event.epoch} / ${config.epochs}`;
      ui.speed.textContent = `${Math.round(event.samplesPerSecond).toLocaleString('en-US')} samples/s`;
    },
    onEpoch(log: EpochLog) {
      if (run !== current) return;
      current.pendingLogs.push(log);
      showLoss(log.loss);
      ui.testLoss.textContent = formatLoss(log.testLoss);
      ui.epoch.textContent = `${log.epoch} / ${config.epochs}`;
      scheduleDraw();
    },
    onSnapshot(snapshot: Snapshot) {
      if (run === current) showSnapshot(current, snapshot);
    },
    onStatus(status: RunStatus, epoch: number) {
      if (run === current) setState(status, epoch);
    },
  };
  const transport = webWorkerTransport(config.backend, (kernels) => {
    if (run === current) ui.kernels.textContent = `${kernels.name}${kernels.threads > 1 ? `, ${kernels.threads} threads` : ''}`;
  });
  let training: TrainingRun;
  try {
    training = new TrainingRun(config, callbacks, transport);
  } catch (error) {
    showError(oneLine(error));
    return;
  }
  const current: Run = { training, config, view: training.task.view, charts: null, pendingLogs: [], pendingSnapshot: null, lastProgress: -Infinity };
  run = current;
  ui.parameters.textContent = training.parameters.toLocaleString('en-US');
  ui.accuracyItem.hidden = current.view.task !== 'addition';
  ui.probeHelp.textContent = probeHelp(current.view);
  training.start().then(
    (trained) => {
      if (run === current && trained !== null) downloads.setModel(trained.model);
    },
    (error: unknown) => {
      if (run === current) showError(oneLine(error));
    },
  );
}

/** Shows one line of text (never markup) under the buttons. */
function showError(message: string): void {
  ui.formError.textContent = message.split(/\r?\n/)[0]!;
  ui.formError.hidden = false;
}

// ———————————————————————————————————————— buttons

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (run !== null) return;
  ui.formError.hidden = true;
  ui.start.disabled = true; // while a CSV file is read
  readFullConfig().then(
    (config) => {
      ui.start.disabled = false;
      if (run !== null || comparing) return;
      clearNumbers();
      clearCharts();
      ui.probeTitle.textContent = `Inside the ${config.layer}`;
      startRun(config);
    },
    (error: unknown) => {
      ui.start.disabled = false;
      showError(oneLine(error));
    },
  );
});

ui.pause.addEventListener('click', () => {
  if (run === null) return;
  if (run.training.status === 'running') void run.training.pause();
  else if (run.training.status === 'paused') run.training.resume();
});

ui.reset.addEventListener('click', () => {
  if (run === null) return;
  run.training.stop();
  downloads.setModel(null);
  disposeCharts(run);
  run = null;
  clearNumbers();
  clearCharts();
  ui.formError.hidden = true;
  setState('idle');
  ui.task.focus();
});

const downloads = downloadView({ tfjs: ui.downloadTfjs, onnx: ui.downloadOnnx }, (message) => showError(message));

const compare = compareView({
  button: ui.compare,
  stopButton: ui.compareStop,
  status: ui.compareStatus,
  lossChart: ui.compareLossChart,
  gradientChart: ui.compareGradientChart,
  readConfig: readFullConfig,
  onBusy(busy) {
    comparing = busy;
    setState((ui.app.dataset.state as PageState | undefined) ?? 'idle');
  },
});

applyTaskText();
setState('idle');
