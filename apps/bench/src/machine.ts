// What the report says about the machine it ran on (apart from run.ts, which loads every
// contender: the unit tests read this without the benchmark's own install).
import { cpus, loadavg, totalmem } from 'node:os';
import { type CacheSizes, measuredCacheSizes } from '@rnnkit/backend-wasm';

export interface MachineInfo {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
  /** The data caches as the WebAssembly backend measures them (its products block for them), e.g. `L1 32 KiB, L2 256 KiB, L3 2048 KiB`. */
  readonly caches?: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    caches: describeCaches(measuredCacheSizes()),
  };
}

function describeCaches(sizes: CacheSizes | null): string {
  if (sizes === null) return 'not measurable here (coarse clock)';
  return `L1 ${sizes.l1 / 1024} KiB, L2 ${sizes.l2 / 1024} KiB, L3 ${sizes.l3 / 1024} KiB`;
}
