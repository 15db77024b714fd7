/** Caselens statistics: pure functions, no I/O; each checked against scipy / statsmodels / R fixtures. */
export * from './normal';
export * from './quantile';
export * from './kaplan-meier';
export * from './proportion-intervals';
export * from './chi-square';
export * from './cmh';
export * from './multiple-testing';
export * from './standardise';
export * from './stratified-rank-test';
export * from './survey-estimator';
export * from './sample-size';
export * from './krippendorff';
