/**
 * A line diff of two texts (longest common subsequence), printed the way
 * `diff -u` marks lines: "-" removed, "+" added; unchanged lines are left
 * out. Configurations are small (thousands of lines at most), so the
 * quadratic table is affordable.
 */
export function diffLines(before: string, after: string): string[] {
  const a = before.split("\n").filter((l) => l !== "");
  const b = after.split("\n").filter((l) => l !== "");
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j] ? common[(i + 1) * width + j + 1] + 1 : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i * width + j + 1] >= common[(i + 1) * width + j])) {
      out.push(`+${b[j++]}`);
    } else {
      out.push(`-${a[i++]}`);
    }
  }
  return out;
}
