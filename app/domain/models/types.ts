// Shapes shared by the model fits.

/** Why a model was not fitted: shown to the merchant as it is ("not enough data yet: …"). */
export type FitFailure = { ok: false; reason: string; n: number };

export type FitDiagnostics = {
  /** The maximized log-likelihood over the customers fitted on (without the penalty). */
  logLikelihood: number;
  /** Nelder–Mead iterations over all starts and restarts. */
  iterations: number;
  converged: boolean;
  /** Customers given. */
  n: number;
  /** Customers the fit used: all of them, or a seeded random sample of large shops. */
  fittedOn: number;
  /** Parameters that ran to the edge of the search box (e^±30): the data does not pin them down. */
  atBound: string[];
};

export type FitOptions = {
  /** L2 penalty on the parameters (lifetimes' penalizer_coef: added to the mean negative log-likelihood). */
  penalizer?: number;
  /** Seed of the sample drawn from shops larger than sampleSize (default 42). */
  seed?: number;
  /** Fit on a seeded random sample of this many customers when there are more (default 200,000). */
  sampleSize?: number;
  /** Fewest customers to fit on (default 20 for BG/NBD, 10 repeat buyers for Gamma-Gamma). */
  minCustomers?: number;
};

/** Log-parameters beyond ±LOG_BOUND are a wall for the optimizer (e^30 ≈ 1e13). */
export const LOG_BOUND = 30;
