// Original file: protos/omen/trainer/v1/trainer.proto


export interface GetAliasesResponse {
  /**
   * alias → version.
   */
  'aliases'?: ({[key: string]: string});
}

export interface GetAliasesResponse__Output {
  /**
   * alias → version.
   */
  'aliases': ({[key: string]: string});
}
