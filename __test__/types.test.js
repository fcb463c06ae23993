'use strict';
/**
 * The TypeScript declarations: __test__/types/*.ts use the package by its own name
 * (through package.json `exports` and their `types` conditions) and must compile with
 * `tsc --noEmit --strict`. Their `@ts-expect-error` lines are the negative checks: each
 * must still be an error, so declarations that grew too loose, or a path that resolves to
 * `any`, fail this test too.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PROJECT = path.join(__dirname, 'types', 'tsconfig.json');

function tsc(...args) {
  const r = spawnSync(process.execPath, [TSC, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('the type tests compile with tsc --noEmit --strict', () => {
  const files = fs.readdirSync(path.dirname(PROJECT)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  assert.ok(files.length >= 2, `type test files: ${files.join(', ')}`);
  const { status, output } = tsc('-p', PROJECT, '--noEmit', '--strict');
  assert.equal(status, 0, output);
});

test('the negative checks are there, and tsc reports a misuse', () => {
  const dir = path.dirname(PROJECT);
  const expected = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .reduce((n, f) => n + (fs.readFileSync(path.join(dir, f), 'utf8').match(/@ts-expect-error/g) || []).length, 0);
  assert.ok(expected >= 10, `only ${expected} @ts-expect-error checks`);
  // One of them without its directive must fail to compile, naming the line.
  const tmp = fs.mkdtempSync(path.join(dir, '.neg-'));
  try {
    fs.writeFileSync(
      path.join(tmp, 'misuse.ts'),
      'import { TenantContext } from "dynamo-bao-native";\nTenantContext.runWithTenant(42, () => 0);\n',
    );
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'] }));
    const { status, output } = tsc('-p', path.join(tmp, 'tsconfig.json'), '--noEmit', '--strict');
    assert.notEqual(status, 0);
    assert.match(output, /misuse\.ts\(2,29\): error TS2345: Argument of type 'number' is not assignable/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
