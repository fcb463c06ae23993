"use strict";
/**
 * `searchAll` / `searchBucket` (spec §5.12): pages of the tenant's search
 * partitions filtered by the search predicate, across buckets in parallel or
 * in order, resumable through a cursor bound to the query, the model, the
 * bucket scope and the tenant.
 */
const { validateLimit, predicateHash, encodeCursor, decodeCursor } = require("./utils/search-text.js");
const { operationTenant, asTenant } = require("./native-ops.js");

const SEARCH_INDEX_NAME = "iter_search_index";

/** Throws the original's errors for a model that cannot be searched. */
function assertSearchable(M) {
  if (!M.searchable || !M.searchConfig) {
    throw new Error(
      `Model ${M.name} is not configured as searchable. Add a searchable: { fields: [...] } block in YAML to enable search.`,
    );
  }
  if (!M.iterable) {
    throw new Error(
      "searchAll requires iterable: true. For non-iterable models, use query/queryByIndex with a filter on _searchText.",
    );
  }
  const indexName = M._config?.db?.iterationIndexName || "iter_index";
  if (indexName !== SEARCH_INDEX_NAME) {
    throw new Error(
      `searchAll requires the '${SEARCH_INDEX_NAME}' GSI. Current config resolves the iteration index to '${indexName}'. To enable search:\n` +
        `  1) Run 'bao-update-table' to add ${SEARCH_INDEX_NAME} to the table.\n` +
        `  2) Set 'db.iterationIndexName: "${SEARCH_INDEX_NAME}"' in your config.\n` +
        "  3) (If the model already has data) run 'bao-rebuild-search-text <ModelName>'.",
    );
  }
}

/** The cursor's bucket states, after checking it belongs to this very search. */
function resume(M, cursor, hash, tenantId, scope) {
  const c = decodeCursor(cursor);
  if (c.predicateHash !== hash) {
    throw new Error("Cursor was generated for a different query (terms/operator/searchConfig changed). Start a new search.");
  }
  if (c.modelPrefix !== M.modelPrefix) {
    throw new Error(`Cursor was generated for model "${c.modelPrefix}", not "${M.modelPrefix}".`);
  }
  if (c.tenantId !== tenantId) {
    throw new Error(
      `Cursor was generated under tenant "${c.tenantId || "(none)"}", not "${tenantId || "(none)"}". Cursors are tenant-scoped.`,
    );
  }
  const had = [...c.scope].sort((a, b) => a - b);
  const want = [...scope].sort((a, b) => a - b);
  if (had.length !== want.length || had.some((b, i) => b !== want[i])) {
    throw new Error(
      `Cursor scope mismatch. Cursor was generated for buckets [${had.join(", ")}], but this call covers ` +
        `[${want.join(", ")}]. Resume the cursor with the same API call (searchAll or searchBucket) that produced it.`,
    );
  }
  // A search reads only the buckets of its scope (decodeCursor, DynamoBao's, does not check).
  if (Object.keys(c.bucketCursors).some((b) => !want.includes(Number(b)))) {
    throw new Error("Invalid cursor: bucketCursors names a bucket outside scope.");
  }
  return { bucketCursors: { ...c.bucketCursors }, pending: c.pendingItemKeys || [] };
}

/**
 * @param {Function} M the model class
 * @param {string[]} terms
 * @param {object} options
 * @param {number[]} scope the buckets this call covers
 * @returns {Promise<{items: object[], cursor: string|null}>}
 */
async function searchPaged(M, terms, options, scope) {
  const {
    operator = "$and",
    batchSize = 100,
    filter = null,
    limit = 100,
    maxQueriesPerBucket = 50,
    parallel = true,
    cursor = null,
  } = options ?? {};
  validateLimit(limit);
  if (!Number.isInteger(maxQueriesPerBucket) || maxQueriesPerBucket < 1) {
    throw new Error("maxQueriesPerBucket must be a positive integer.");
  }
  const { buildSearchPredicate } = require("./utils/search-text.js");
  buildSearchPredicate(terms, M.searchConfig, { operator });
  const hash = predicateHash(terms, operator, M.searchConfig);
  // The cursor names this tenant, and every page and hydration is read as it,
  // whatever is current after the awaits below.
  const tenantId = operationTenant(M);
  return asTenant(tenantId, async () => {
    let bucketCursors = {};
    let pending = [];
    if (cursor) ({ bucketCursors, pending } = resume(M, cursor, hash, tenantId, scope));
    else for (const b of scope) bucketCursors[b] = null;

    const items = [];
    if (pending.length) {
      const { items: found } = await M.batchFind(pending);
      for (const id of pending) if (Object.hasOwn(found, id)) items.push(found[id]);
    }

    const queries = {};
    const pull = async (bucket) => {
      queries[bucket] = (queries[bucket] || 0) + 1;
      const page = await M._iterationPage(bucket, {
        batchSize,
        filter,
        search: { terms, operator },
        startKey: bucketCursors[bucket] || undefined,
      });
      if (page.lek) bucketCursors[bucket] = page.lek;
      else delete bucketCursors[bucket];
      return page.items;
    };
    const eligible = () =>
      Object.keys(bucketCursors)
        .map(Number)
        .filter((b) => (queries[b] || 0) < maxQueriesPerBucket)
        .sort((a, b) => a - b);

    if (parallel) {
      while (items.length < limit && eligible().length > 0) {
        for (const page of await Promise.all(eligible().map(pull))) items.push(...page);
      }
    } else {
      for (const bucket of eligible()) {
        while (bucket in bucketCursors && (queries[bucket] || 0) < maxQueriesPerBucket && items.length < limit) {
          items.push(...(await pull(bucket)));
        }
        if (items.length >= limit) break;
      }
    }

    const kept = items.length > limit ? items.slice(0, limit) : items;
    const overflow = items.slice(kept.length).map((m) => m.getPrimaryId());
    const more = Object.keys(bucketCursors).length > 0 || overflow.length > 0;
    return {
      items: kept,
      cursor: more
        ? encodeCursor({ bucketCursors, predicateHash: hash, modelPrefix: M.modelPrefix, scope, tenantId, pendingItemKeys: overflow })
        : null,
    };
  });
}

module.exports = { assertSearchable, searchPaged };
