"use strict";
/** DynamoBao's constants (spec §1.2), same names and values. */

const SYSTEM_FIELDS = [
  "_pk", "_sk",
  "_gsi1_pk", "_gsi1_sk", "_gsi2_pk", "_gsi2_sk", "_gsi3_pk", "_gsi3_sk",
  "_gsi4_pk", "_gsi4_sk", "_gsi5_pk", "_gsi5_sk",
  "_iter_pk", "_iter_sk", "_searchText",
];

module.exports = {
  GSI_INDEX_ID1: "gsi1",
  GSI_INDEX_ID2: "gsi2",
  GSI_INDEX_ID3: "gsi3",
  GSI_INDEX_ID4: "gsi4",
  GSI_INDEX_ID5: "gsi5",
  ITERATION_INDEX_NAME: "iter_index",
  LEGACY_ITERATION_INDEX_NAME: "iter_index",
  SEARCH_INDEX_NAME: "iter_search_index",
  ITERATION_PK_FIELD: "_iter_pk",
  ITERATION_SK_FIELD: "_iter_sk",
  SEARCH_TEXT_FIELD: "_searchText",
  UNIQUE_CONSTRAINT_ID1: "_uc1",
  UNIQUE_CONSTRAINT_ID2: "_uc2",
  UNIQUE_CONSTRAINT_ID3: "_uc3",
  UNIQUE_CONSTRAINT_KEY: "_raft_uc",
  SYSTEM_FIELDS,
};
