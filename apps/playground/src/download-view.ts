// The download buttons: the trained model as TF.js layers-model files (model.json and its
// weight file) and as model.onnx, each handed to the browser as a file download (a Blob URL
// on a link with `download`). Enabled once a run has finished.
import type { Sequential } from '@rnnkit/layers';
import { oneLine } from './csv-form.js';
import { type ModelFile, onnxFile, tfjsFiles } from './model-files.js';

function saveFile(file: ModelFile): void {
  const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts; the URL only needs to live until then.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export interface DownloadElements {
  readonly tfjs: HTMLButtonElement;
  readonly onnx: HTMLButtonElement;
}

/** Wires the buttons; `setModel(model)` enables them for a trained model, `setModel(null)` disables them. */
export function downloadView(elements: DownloadElements, onError: (message: string) => void): { setModel(model: Sequential | null): void } {
  let model: Sequential | null = null;
  const attempt = (files: () => ModelFile[]): void => {
    if (model === null) return;
    try {
      for (const file of files()) saveFile(file);
    } catch (error) {
      onError(oneLine(error));
    }
  };
  elements.tfjs.addEventListener('click', () => attempt(() => tfjsFiles(model!)));
  elements.onnx.addEventListener('click', () => attempt(() => [onnxFile(model!)]));
  return {
    setModel(value) {
      model = value;
      elements.tfjs.disabled = value === null;
      elements.onnx.disabled = value === null;
    },
  };
}
