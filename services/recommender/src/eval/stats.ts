/** Mean and standard error of the mean (sample standard deviation / √n; null below two values). */
export function meanAndStdErr(values: readonly number[]): { mean: number; stdErr: number | null } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, n);
  if (n < 2) return { mean, stdErr: null };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stdErr: Math.sqrt(variance / n) };
}
