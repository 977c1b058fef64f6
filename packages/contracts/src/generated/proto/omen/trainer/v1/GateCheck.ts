// Original file: protos/omen/trainer/v1/trainer.proto


export interface GateCheck {
  /**
   * Name of the check, e.g. "auc_not_worse_than_production".
   */
  'name'?: (string);
  'metric'?: (string);
  'value'?: (number | string);
  'threshold'?: (number | string);
  'passed'?: (boolean);
}

export interface GateCheck__Output {
  /**
   * Name of the check, e.g. "auc_not_worse_than_production".
   */
  'name': (string);
  'metric': (string);
  'value': (number);
  'threshold': (number);
  'passed': (boolean);
}
