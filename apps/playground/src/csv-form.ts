// The form's "Your own CSV" fields: a file input, then the time, target and feature columns by
// name, offered from the file's header. The file is read in full (parseTimeSeries) when a run
// starts; every problem is one line of escaped text in the page (the caller shows it).
import type { CsvSeries } from './config.js';
import { csvHeader, readCsvSeries } from './csv-task.js';

/** Larger files are refused before they are read. */
const MAX_BYTES = 20 * 1024 * 1024;

export interface CsvFormElements {
  readonly fields: HTMLElement;
  readonly file: HTMLInputElement;
  readonly time: HTMLSelectElement;
  readonly target: HTMLSelectElement;
  readonly features: HTMLSelectElement;
}

function fill(select: HTMLSelectElement, names: readonly string[], selected: string | null): void {
  select.replaceChildren(
    ...names.map((name) => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      option.selected = name === selected;
      return option;
    }),
  );
}

/** The first line of an error's message: the page shows one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split(/\r?\n/)[0]!;
}

export function csvForm(elements: CsvFormElements, onError: (message: string) => void, onClear: () => void) {
  let file: { name: string; text: string } | null = null;

  function clear(): void {
    file = null;
    for (const select of [elements.time, elements.target, elements.features]) select.replaceChildren();
  }

  elements.file.addEventListener('change', () => {
    const chosen = elements.file.files?.[0];
    clear();
    onClear();
    if (chosen === undefined) return;
    if (chosen.size > MAX_BYTES) {
      onError(`playground CSV: the file has ${chosen.size.toLocaleString('en-US')} bytes; at most ${MAX_BYTES.toLocaleString('en-US')} are read`);
      return;
    }
    chosen.text().then(
      (text) => {
        if (elements.file.files?.[0] !== chosen) return; // another file was chosen meanwhile
        const header = csvHeader(text);
        file = { name: chosen.name, text };
        fill(elements.time, header, header[0]!);
        fill(elements.target, header, header[1]!);
        fill(elements.features, header, null);
        elements.fields.dataset.columns = String(header.length);
      },
      (error: unknown) => onError(`playground CSV: could not read the file: ${oneLine(error)}`),
    ).catch((error: unknown) => onError(oneLine(error)));
  });

  return {
    /** Shows the CSV fields for the CSV task only. */
    show(visible: boolean): void {
      elements.fields.hidden = !visible;
    },
    /** Reads the chosen columns of the chosen file; rejects with a one-line message. */
    async read(): Promise<CsvSeries> {
      if (file === null) throw new Error('playground CSV: choose a CSV file first');
      const features = Array.from(elements.features.selectedOptions, (option) => option.value);
      return readCsvSeries(file.text, { time: elements.time.value, target: elements.target.value, features }, file.name);
    },
  };
}
