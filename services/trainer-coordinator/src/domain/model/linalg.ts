/**
 * Solves A x = b for a symmetric positive-definite `A` (row-major k×k) by Cholesky. Our systems
 * are tiny (features + 1), so a dependency would buy nothing. Adds growing diagonal jitter if
 * A is numerically singular (perfectly collinear features) rather than failing the fit.
 */
export function solveSpd(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let jitter = 0, attempt = 0; attempt < 8; attempt++, jitter = jitter === 0 ? 1e-10 : jitter * 100) {
    const l = new Float64Array(k * k);
    let ok = true;
    for (let i = 0; i < k && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[i * k + j]! + (i === j ? jitter : 0);
        for (let m = 0; m < j; m++) s -= l[i * k + m]! * l[j * k + m]!;
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i * k + i] = Math.sqrt(s);
        } else {
          l[i * k + j] = s / l[j * k + j]!;
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = b[i]!;
      for (let m = 0; m < i; m++) s -= l[i * k + m]! * z[m]!;
      z[i] = s / l[i * k + i]!;
    }
    const out = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      let s = z[i]!;
      for (let m = i + 1; m < k; m++) s -= l[m * k + i]! * out[m]!;
      out[i] = s / l[i * k + i]!;
    }
    return out;
  }
  throw new Error('solveSpd: matrix is not positive definite even with jitter');
}
