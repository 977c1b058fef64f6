// Original file: protos/omen/featurizer/v1/featurizer.proto


export interface ListOffsetGapsRequest {
}

export interface ListOffsetGapsRequest__Output {
}
