// The benchmarks' output: one JSON object per line and per figure on stdout (SPEC,
// "Performance targets"); anything meant for a human goes to stderr.

export interface Baseline {
  figure: string;
  value: number;
}

/** Integers for large values, two decimals for small ones: enough for a noisy machine. */
function rounded(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

export function printFigure(figure: string, value: number, unit: string, baseline?: Baseline): void {
  const line: Record<string, string | number> = { figure, value: rounded(value), unit };
  if (baseline) {
    line.baseline = baseline.figure;
    line.baseline_value = rounded(baseline.value);
    line.ratio = Math.round((value / baseline.value) * 100) / 100;
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}

export function note(bench: string, message: string): void {
  process.stderr.write(`bench ${bench}: ${message}\n`);
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}
