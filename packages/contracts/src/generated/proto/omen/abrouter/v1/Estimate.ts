// Original file: protos/omen/abrouter/v1/abrouter.proto


/**
 * A value with its (1 - alpha) confidence interval; absent when not defined (e.g. AUC with one class).
 */
export interface Estimate {
  'value'?: (number | string);
  'low'?: (number | string);
  'high'?: (number | string);
  '_value'?: "value";
  '_low'?: "low";
  '_high'?: "high";
}

/**
 * A value with its (1 - alpha) confidence interval; absent when not defined (e.g. AUC with one class).
 */
export interface Estimate__Output {
  'value'?: (number);
  'low'?: (number);
  'high'?: (number);
  '_value'?: "value";
  '_low'?: "low";
  '_high'?: "high";
}
