// Test support only (not exported): a deliberately naive reading of an unquoted SCADA CSV —
// split on line breaks and ';', Date.parse for the instants — to check the streaming loader
// against. It applies the loader's default policies: first turbine, sort by instant with
// ties in file order, keep the first of duplicate instants, forward fill, drop leading rows.

export interface OracleResult {
  turbine: string;
  turbines: string[];
  time: number[];
  /** One array per variable. */
  columns: number[][];
}

export function naiveScada(text: string, options: { turbine?: string; variables?: string[] } = {}): OracleResult {
  const variables = options.variables ?? ['Wa_c_avg'];
  const lines = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .filter((line) => line !== '');
  const header = lines[0]!.split(';');
  const nameAt = header.indexOf('Wind_turbine_name');
  const timeAt = header.indexOf('Date_time');
  const variableAt = variables.map((v) => header.indexOf(v));
  const rows = lines.slice(1).map((line) => line.split(';'));
  const turbines = [...new Set(rows.map((row) => row[nameAt]!))];
  const turbine = options.turbine ?? rows[0]![nameAt]!;
  const selected = rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row[nameAt] === turbine)
    .map(({ row, index }) => ({
      t: Date.parse(row[timeAt]!),
      index,
      values: variableAt.map((at) => (row[at] === '' ? NaN : Number(row[at]))),
    }))
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .filter((entry, i, all) => i === 0 || all[i - 1]!.t !== entry.t);
  const columns = variables.map((_, j) => {
    let last = NaN;
    return selected.map((entry) => {
      const v = entry.values[j]!;
      if (!Number.isNaN(v)) last = v;
      return last;
    });
  });
  let drop = 0;
  for (const column of columns) {
    const first = column.findIndex((v) => !Number.isNaN(v));
    drop = Math.max(drop, first === -1 ? column.length : first);
  }
  return {
    turbine,
    turbines,
    time: selected.slice(drop).map((entry) => entry.t),
    columns: columns.map((column) => column.slice(drop)),
  };
}
