/**
 * The feature-exploration part of the API contract (`features.explore`): summary statistics,
 * histograms, Pearson and Spearman correlation, PCA and keep/drop suggestions over a source's
 * window features. Pure types and constants.
 */

/** Most windows one exploration reads; more asks for a coarser resolution or a shorter range. */
export const EXPLORE_MAX_WINDOWS = 50_000;

/** Bins of every histogram. */
export const EXPLORE_HISTOGRAM_BINS = 20;

/** Most PCA projection points returned (evenly spaced in time when there are more windows). */
export const EXPLORE_MAX_PROJECTION_POINTS = 5_000;

/** |Pearson r| at or above which a pair is redundant and one of it is suggested for dropping. */
export const EXPLORE_CORRELATED_R = 0.95;

/** Share of windows holding one value at or above which a feature is near-constant. */
export const EXPLORE_NEAR_CONSTANT_SHARE = 0.99;

/** `features.explore`: a source (or a time range of it) at one stored resolution. */
export interface FeatureExploreRequest {
  readonly sourceId: number;
  /** Epoch seconds, from inclusive, to exclusive; omitted = the source's extent. */
  readonly from?: number;
  readonly to?: number;
  /** Stored window seconds (1, 10, 60, a series' step); default the finest with ≤ EXPLORE_MAX_WINDOWS windows. */
  readonly resolution?: number;
  /** Feature names (window metrics, flight metrics, `<metric>_diff`); default: see the handler. */
  readonly features?: readonly string[];
}

/** Summary statistics of one feature over the windows where it has a value. */
export interface FeatureStats {
  readonly feature: string;
  /** Windows with a value. */
  readonly count: number;
  /** Windows without one (ratio in an idle window, first window of a difference, …). */
  readonly missing: number;
  /** The rest are null when count is 0 (std and skew also when too few values). */
  readonly mean: number | null;
  /** Sample standard deviation (n − 1). */
  readonly std: number | null;
  readonly min: number | null;
  /** Quantiles with linear interpolation between order statistics (numpy's default). */
  readonly p5: number | null;
  readonly p25: number | null;
  readonly median: number | null;
  readonly p75: number | null;
  readonly p95: number | null;
  readonly max: number | null;
  /** Adjusted Fisher–Pearson skewness G1 (as pandas' skew()); null for n < 3 or std 0. */
  readonly skew: number | null;
  /** Share of the values equal to the most frequent one. */
  readonly topShare: number | null;
}

/** A histogram of one feature: EXPLORE_HISTOGRAM_BINS equal bins from min to max, the last closed. */
export interface FeatureHistogram {
  readonly feature: string;
  /** bins + 1 edges. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** A correlation method. */
export type CorrelationMethod = 'pearson' | 'spearman';

/**
 * A correlation matrix over `features` (the result's order). Pairwise complete: each pair uses
 * the windows where both features have a value (Spearman ranks those windows, ties at average
 * ranks); null where fewer than 3 such windows or either side is constant there.
 */
export interface CorrelationMatrix {
  readonly method: CorrelationMethod;
  readonly values: readonly (readonly (number | null)[])[];
  /** Windows each pair used. */
  readonly n: readonly (readonly number[])[];
}

/** PCA of the standardised features (eigen-decomposition of their correlation matrix). */
export interface PcaResult {
  /** Features in the PCA (constant or mostly-missing ones are left out; see `excluded`). */
  readonly features: readonly string[];
  readonly excluded: readonly { readonly feature: string; readonly reason: string }[];
  /** Windows with a value in every PCA feature (listwise complete): what the PCA used. */
  readonly windows: number;
  /** Eigenvalues of the correlation matrix, descending (they sum to the feature count). */
  readonly eigenvalues: readonly number[];
  readonly explainedVarianceRatio: readonly number[];
  /** loadings[k][j]: unit eigenvector k's coefficient of feature j; sign: its largest |coefficient| positive. */
  readonly loadings: readonly (readonly number[])[];
  /** Scores on the first two components of the complete windows (subsampled past EXPLORE_MAX_PROJECTION_POINTS). */
  readonly projection: {
    readonly t: readonly number[];
    readonly pc1: readonly number[];
    readonly pc2: readonly number[];
    /** Complete windows before subsampling. */
    readonly total: number;
  };
}

/** A feature suggested for dropping, and why. */
export interface FeatureDropSuggestion {
  readonly feature: string;
  readonly kind: 'near_constant' | 'correlated';
  readonly reason: string;
  /** For `correlated`: the feature kept in its place, and their Pearson r. */
  readonly keptInstead?: string;
  readonly r?: number;
}

/** Stored anomaly flags matched to the PCA projection. */
export interface ExploreAnomalies {
  /** The detection's model (null: a forest fitted on the fly by anomalies.detect). */
  readonly modelId: number | null;
  /** When it ran, epoch ms. */
  readonly detectedAt: number;
  /** Flagged windows stored for it. */
  readonly stored: number;
  /** Per projection point: its window overlaps a flagged window. */
  readonly flagged: readonly boolean[];
}

/** The answer of `features.explore`. */
export interface FeatureExploreResult {
  readonly sourceId: number;
  readonly resolution: number;
  /** First window start and last window end read. */
  readonly from: number;
  readonly to: number;
  /** Windows explored (a capture's idle windows inside the range included). */
  readonly windows: number;
  /** Explored features, in matrix order. */
  readonly features: readonly string[];
  /** Every feature this source offers (for the picker). */
  readonly available: readonly string[];
  /** Asked-for or default features left out, with the reason (no value at all). */
  readonly skipped: readonly { readonly feature: string; readonly reason: string }[];
  readonly stats: readonly FeatureStats[];
  readonly histograms: readonly FeatureHistogram[];
  readonly pearson: CorrelationMatrix;
  readonly spearman: CorrelationMatrix;
  /** Null with `pcaNote` when it cannot run (fewer than 2 usable features or 3 complete windows). */
  readonly pca: PcaResult | null;
  readonly pcaNote: string | null;
  readonly suggestions: { readonly keep: readonly string[]; readonly drop: readonly FeatureDropSuggestion[] };
  /**
   * The latest stored anomaly detection of the source (table `anomalies`, newest detected_at
   * over its models), with a flag per projection point; null when none is stored.
   */
  readonly anomalies: ExploreAnomalies | null;
  /** What the projection is coloured by, as a sentence (says so when only time is available). */
  readonly anomalyNote: string;
  readonly elapsedMs: number;
}
