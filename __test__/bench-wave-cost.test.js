'use strict';
/**
 * bench/wave-cost.js splits a batched-find wave's client CPU into what is
 * paid once per wave and what each find adds, from two wave sizes.
 */
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { split } = require('../bench/wave-cost.js');

test('two wave sizes give the fixed cost per wave and the cost per find', () => {
  // 1,500 µs per wave plus 12 µs per find, seen at waves of 1 and of 100.
  const { fixed, perFind } = split({ size: 1, cpuPerWaveUs: 1512 }, { size: 100, cpuPerWaveUs: 2700 });
  assert.ok(Math.abs(perFind - 12) < 1e-9, `per find ${perFind}`);
  assert.ok(Math.abs(fixed - 1500) < 1e-9, `fixed ${fixed}`);
});

test('the split does not depend on which sizes were measured', () => {
  const cost = (n) => ({ size: n, cpuPerWaveUs: 4900 + 140 * n });
  for (const [a, b] of [[1, 100], [8, 64], [16, 32]]) {
    const { fixed, perFind } = split(cost(a), cost(b));
    assert.ok(Math.abs(perFind - 140) < 1e-9 && Math.abs(fixed - 4900) < 1e-9, `${a},${b}: ${fixed} + n × ${perFind}`);
  }
});
