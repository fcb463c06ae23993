"use strict";
/** DynamoBao's constants (spec §1.2), same names and values. */

const SYSTEM_FIELDS = [
  "_pk", "_sk",
  "_gsi1_pk", "_gsi1_sk", "_gsi2_pk", "_gsi2_sk", "_gsi3_pk", "_gsi3_sk",
  "_gsi4_pk", "_gsi4_sk", "_gsi5_pk", "_gsi5_sk",
  "_iter_pk", "_iter_sk", "_searchText",
];

const GSI_INDEX_ID1 = "gsi1";
const GSI_INDEX_ID2 = "gsi2";
const GSI_INDEX_ID3 = "gsi3";
const GSI_INDEX_ID4 = "gsi4";
const GSI_INDEX_ID5 = "gsi5";
const ITERATION_INDEX_NAME = "iter_index";
const LEGACY_ITERATION_INDEX_NAME = "iter_index";
const SEARCH_INDEX_NAME = "iter_search_index";
const ITERATION_PK_FIELD = "_iter_pk";
const ITERATION_SK_FIELD = "_iter_sk";
const SEARCH_TEXT_FIELD = "_searchText";
const UNIQUE_CONSTRAINT_ID1 = "_uc1";
const UNIQUE_CONSTRAINT_ID2 = "_uc2";
const UNIQUE_CONSTRAINT_ID3 = "_uc3";
const UNIQUE_CONSTRAINT_KEY = "_raft_uc";

// Listed by name so Node finds the named exports for ESM imports.
module.exports = {
  GSI_INDEX_ID1,
  GSI_INDEX_ID2,
  GSI_INDEX_ID3,
  GSI_INDEX_ID4,
  GSI_INDEX_ID5,
  ITERATION_INDEX_NAME,
  LEGACY_ITERATION_INDEX_NAME,
  SEARCH_INDEX_NAME,
  ITERATION_PK_FIELD,
  ITERATION_SK_FIELD,
  SEARCH_TEXT_FIELD,
  UNIQUE_CONSTRAINT_ID1,
  UNIQUE_CONSTRAINT_ID2,
  UNIQUE_CONSTRAINT_ID3,
  UNIQUE_CONSTRAINT_KEY,
  SYSTEM_FIELDS,
};
