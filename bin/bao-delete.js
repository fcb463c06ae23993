#!/usr/bin/env node
"use strict";
/** `bao-delete`: deleting a table is deliberately left to the AWS CLI, as in DynamoBao. */
console.error(
  "bao-delete does not delete tables. To delete one, run:\n" +
    "  aws dynamodb delete-table --table-name {YOUR_TABLE_NAME}",
);
process.exit(1);
