"use strict";
/** Order statistics for the benchmark: medians across runs, percentiles within one. */

/** The median of the finite numbers given (null when there are none). */
function median(values) {
  const xs = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/**
 * The p-th percentile (0–100) by the nearest-rank method, so p99 of 200
 * samples is the 198th smallest rather than an interpolation.
 * @param {ArrayLike<number>} values
 * @param {number} p
 */
function percentile(values, p) {
  const xs = Array.from(values).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * xs.length));
  return xs[Math.min(rank, xs.length) - 1];
}

/** a / b, or null when either is missing or b is zero. */
function ratio(a, b) {
  if (typeof a !== "number" || typeof b !== "number" || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

module.exports = { median, percentile, ratio };
