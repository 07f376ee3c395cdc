// A derivative-free minimizer for the models' likelihoods: Nelder–Mead (Lagarias et al. 1998
// coefficients), restarted from its own best point until a restart no longer improves (a simplex can
// collapse on a ridge before the minimum), and run from several starting points with the best kept.
// The models hand it log-parameters, so every point it tries is a valid parameter set, and a
// non-finite objective is treated as +Infinity (a wall), never as a number to compare.

export type MinimizeOptions = {
  /** Starting points; the best result over all of them is returned. */
  starts: number[][];
  /** Initial simplex step on each coordinate (default 0.5: a factor e^0.5 on a log-parameter). */
  step?: number;
  /** Objective evaluations per run before giving up (default 2000 × dimension). */
  maxEvaluations?: number;
  /** Converged when the simplex's values differ by less than this (relative, default 1e-11)… */
  fTolerance?: number;
  /** …and its points by less than this (absolute, default 1e-7). */
  xTolerance?: number;
  /** Restarts from the best point after a run converges (default 3). */
  restarts?: number;
};

export type MinimizeResult = {
  x: number[];
  value: number;
  /** Nelder–Mead iterations over all runs and restarts. */
  iterations: number;
  evaluations: number;
  converged: boolean;
};

type Vertex = { x: number[]; f: number };

function safe(f: (x: number[]) => number, x: number[]): number {
  const v = f(x);
  return Number.isFinite(v) ? v : Infinity;
}

function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  step: number,
  maxEvaluations: number,
  fTol: number,
  xTol: number,
): MinimizeResult {
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    return safe(f, x);
  };
  const simplex: Vertex[] = [{ x: start.slice(), f: evaluate(start) }];
  for (let i = 0; i < n; i++) {
    const x = start.slice();
    x[i]! += step;
    simplex.push({ x, f: evaluate(x) });
  }
  // Adaptive coefficients for higher dimensions (Gao & Han 2012); equal to the classic ones for n = 2.
  const rho = 1;
  const chi = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;
  let iterations = 0;
  let converged = false;
  const along = (centroid: number[], worst: number[], t: number) => centroid.map((c, i) => c + t * (c - worst[i]!));
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.f - q.f);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    let spread = 0;
    for (let i = 1; i <= n; i++) {
      for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i]!.x[j]! - best.x[j]!));
    }
    const fSpread = Math.abs(worst.f - best.f);
    if (Number.isFinite(best.f) && fSpread <= fTol * (Math.abs(best.f) + 1e-12) && spread <= xTol) {
      converged = true;
      break;
    }
    iterations++;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const xr = along(centroid, worst.x, rho);
    const fr = evaluate(xr);
    if (fr < best.f) {
      const xe = along(centroid, worst.x, rho * chi);
      const fe = evaluate(xe);
      simplex[n] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
      continue;
    }
    if (fr < simplex[n - 1]!.f) {
      simplex[n] = { x: xr, f: fr };
      continue;
    }
    const outside = fr < worst.f;
    const xc = along(centroid, worst.x, outside ? rho * gamma : -gamma);
    const fc = evaluate(xc);
    if (fc < (outside ? fr : worst.f)) {
      simplex[n] = { x: xc, f: fc };
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const x = simplex[i]!.x.map((v, j) => best.x[j]! + sigma * (v - best.x[j]!));
      simplex[i] = { x, f: evaluate(x) };
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return { x: simplex[0]!.x, value: simplex[0]!.f, iterations, evaluations, converged };
}

/** Minimizes f from each start (with restarts) and returns the best point found. */
export function minimize(f: (x: number[]) => number, options: MinimizeOptions): MinimizeResult {
  if (options.starts.length === 0) throw new RangeError("minimize needs at least one start");
  const n = options.starts[0]!.length;
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 2000 * n;
  const fTol = options.fTolerance ?? 1e-11;
  const xTol = options.xTolerance ?? 1e-7;
  const restarts = options.restarts ?? 3;
  let best: MinimizeResult | undefined;
  let iterations = 0;
  let evaluations = 0;
  for (const start of options.starts) {
    let run = nelderMead(f, start, step, maxEvaluations, fTol, xTol);
    iterations += run.iterations;
    evaluations += run.evaluations;
    for (let i = 0; i < restarts && run.converged; i++) {
      const again = nelderMead(f, run.x, step / 4, maxEvaluations, fTol, xTol);
      iterations += again.iterations;
      evaluations += again.evaluations;
      const improved = run.value - again.value > fTol * (Math.abs(run.value) + 1e-12);
      run = again.value <= run.value ? again : run;
      if (!improved) break;
    }
    if (!best || run.value < best.value) best = run;
  }
  return { ...best!, iterations, evaluations };
}

export type ValueAndGradient = { value: number; gradient: number[] };

/**
 * BFGS with a backtracking (Armijo) line search, for objectives whose gradient is known: the models'
 * log-likelihoods converge in tens of gradient evaluations where Nelder–Mead needs hundreds of
 * values. A run that does not converge hands its point to Nelder–Mead (`minimize`) to finish.
 */
export function minimizeSmooth(
  fg: (x: number[]) => ValueAndGradient,
  options: {
    starts: number[][];
    gradientTolerance?: number;
    maxIterations?: number;
    /** Try the next start only when the runs so far did not converge (default false: try them all). */
    untilConverged?: boolean;
    /** Inverse Hessian to begin the first start with (e.g. from a fit of a sample of the same data). */
    inverseHessian?: number[][];
  },
): MinimizeResult & { inverseHessian?: number[][] } {
  const gTol = options.gradientTolerance ?? 1e-9;
  // Where the line search can no longer improve, the objective's rounding is reached: a gradient this
  // small there is as converged as the arithmetic allows.
  const floorTol = Math.max(gTol, 1e-5);
  const maxIterations = options.maxIterations ?? 400;
  let best: (MinimizeResult & { inverseHessian?: number[][] }) | undefined;
  let iterations = 0;
  let evaluations = 0;
  let first = true;
  const evaluate = (x: number[]): ValueAndGradient => {
    evaluations++;
    const r = fg(x);
    return Number.isFinite(r.value) && r.gradient.every(Number.isFinite)
      ? r
      : { value: Infinity, gradient: r.gradient };
  };
  for (const start of options.starts) {
    const n = start.length;
    let x = start.slice();
    let cur = evaluate(x);
    let H = first && options.inverseHessian ? options.inverseHessian.map((row) => row.slice()) : identity(n);
    first = false;
    let converged = false;
    let stalls = 0;
    for (let it = 0; it < maxIterations && Number.isFinite(cur.value); it++) {
      iterations++;
      if (maxAbs(cur.gradient) < gTol) {
        converged = true;
        break;
      }
      let d = negate(matVec(H, cur.gradient));
      let slope = dot(d, cur.gradient);
      if (!(slope < 0)) {
        H = identity(n);
        d = negate(cur.gradient);
        slope = dot(d, cur.gradient);
      }
      // Keep a step on the log-parameters to at most 2 (a factor e² per iteration).
      const longest = maxAbs(d);
      let step = longest > 2 ? 2 / longest : 1;
      let next: ValueAndGradient | undefined;
      let xNext = x;
      for (let k = 0; k < 30; k++) {
        xNext = axpy(x, step, d);
        const trial = evaluate(xNext);
        if (trial.value <= cur.value + 1e-4 * step * slope) {
          next = trial;
          break;
        }
        step /= 2;
      }
      if (!next) {
        converged = maxAbs(cur.gradient) < floorTol;
        break;
      }
      const s = axpy(xNext, -1, x);
      const y = axpy(next.gradient, -1, cur.gradient);
      const sy = dot(s, y);
      const improvement = cur.value - next.value;
      x = xNext;
      cur = next;
      if (sy > 1e-300) H = bfgsUpdate(H, s, y, sy);
      if (improvement <= 1e-15 * (Math.abs(cur.value) + 1e-12)) {
        if (++stalls >= 3) {
          converged = maxAbs(cur.gradient) < floorTol;
          break;
        }
      } else stalls = 0;
    }
    let run: MinimizeResult & { inverseHessian?: number[][] } = {
      x,
      value: cur.value,
      iterations: 0,
      evaluations: 0,
      converged,
      inverseHessian: H,
    };
    if (!converged && Number.isFinite(cur.value)) {
      const polished = minimize((p) => fg(p).value, { starts: [x], step: 0.1 });
      iterations += polished.iterations;
      evaluations += polished.evaluations;
      if (polished.value <= run.value) run = polished;
    }
    if (!best || run.value < best.value) best = run;
    if (options.untilConverged && best.converged) break;
  }
  return { ...best!, iterations, evaluations };
}

function maxAbs(v: number[]): number {
  let m = 0;
  for (const e of v) m = Math.max(m, Math.abs(e));
  return m;
}

function negate(v: number[]): number[] {
  return v.map((e) => -e);
}

function matVec(H: number[][], v: number[]): number[] {
  return H.map((row) => dot(row, v));
}

/** x + t·d */
function axpy(x: number[], t: number, d: number[]): number[] {
  const out = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + t * d[i]!;
  return out;
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1 / (yᵀ s). */
function bfgsUpdate(H: number[][], s: number[], y: number[], sy: number): number[][] {
  const n = s.length;
  const rho = 1 / sy;
  const Hy = H.map((row) => dot(row, y));
  const yHy = dot(y, Hy);
  const out = identity(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i]![j] = H[i]![j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
    }
  }
  return out;
}
