// Original file: protos/omen/featurizer/v1/featurizer.proto


export interface ListFeatureSetsRequest {
}

export interface ListFeatureSetsRequest__Output {
}
