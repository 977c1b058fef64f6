// Original file: protos/omen/featurizer/v1/featurizer.proto


export interface FileMetrics {
  'path'?: (string);
  'values'?: ({[key: string]: number | string});
}

export interface FileMetrics__Output {
  'path': (string);
  'values': ({[key: string]: number});
}
