#!/usr/bin/env node
"use strict";
/**
 * `bao-iam-policy --table NAME --tenant-tag TenantId [--region R] [--account A]`:
 * prints a least-privilege IAM policy that lets a principal touch only the
 * items of the tenant named by its `TenantId` principal tag. It relies on
 * `dynamodb:LeadingKeys`, which works because every partition key this
 * package writes (table, GSIs, iteration and unique-constraint items) starts
 * with `[<tenant>]#`.
 */

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith("--") ? process.argv[i + 1] : fallback;
}

/**
 * @param {{table: string, tenantTag: string, region?: string, account?: string}} options
 */
function iamPolicy({ table, tenantTag, region = "*", account = "*" }) {
  const tableArn = `arn:aws:dynamodb:${region}:${account}:table/${table}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TenantItemsOnly",
        Effect: "Allow",
        // TransactWriteItems is authorised per item: PutItem (unique-constraint
        // items), UpdateItem, DeleteItem and ConditionCheckItem.
        Action: [
          "dynamodb:GetItem",
          "dynamodb:BatchGetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:ConditionCheckItem",
        ],
        Resource: [tableArn, `${tableArn}/index/*`],
        Condition: {
          "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": [`[\${aws:PrincipalTag/${tenantTag}}]#*`],
          },
        },
      },
      {
        Sid: "NoTableWideReads",
        Effect: "Deny",
        Action: [
          "dynamodb:Scan",
          "dynamodb:PartiQLSelect",
          "dynamodb:PartiQLInsert",
          "dynamodb:PartiQLUpdate",
          "dynamodb:PartiQLDelete",
          "dynamodb:ExecuteStatement",
          "dynamodb:BatchExecuteStatement",
        ],
        Resource: [tableArn, `${tableArn}/index/*`],
      },
    ],
  };
}

if (require.main === module) {
  const table = option("--table");
  const tenantTag = option("--tenant-tag");
  if (!table || !tenantTag) {
    console.error("Usage: bao-iam-policy --table NAME --tenant-tag TAG [--region REGION] [--account ACCOUNT_ID]");
    process.exit(1);
  }
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tenantTag)) {
    console.error(`Invalid tag key "${tenantTag}": IAM tag keys use letters, digits, spaces and _.:/=+-@ (1-128 characters).`);
    process.exit(1);
  }
  const region = option("--region");
  const account = option("--account");
  console.log(JSON.stringify(iamPolicy({ table, tenantTag, region, account }), null, 2));
}

module.exports = { iamPolicy };
