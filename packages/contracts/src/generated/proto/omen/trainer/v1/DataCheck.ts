// Original file: protos/omen/trainer/v1/trainer.proto


export interface DataCheck {
  'name'?: (string);
  'passed'?: (boolean);
  'detail'?: (string);
}

export interface DataCheck__Output {
  'name': (string);
  'passed': (boolean);
  'detail': (string);
}
