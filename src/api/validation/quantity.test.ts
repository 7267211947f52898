import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalQuantity, compareQuantities, milliValue, parseQuantity, quantityError, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from './quantity.js';

const canonical: Array<[input: string | number, want: string]> = [
  ['100m', '100m'],
  ['0.5', '500m'],
  ['1000m', '1'],
  ['1.5', '1500m'],
  ['1000', '1k'],
  ['1024Mi', '1Gi'],
  ['1536Mi', '1536Mi'],
  ['1.5Gi', '1536Mi'],
  ['0.5Ki', '512'],
  ['128974848', '128974848'],
  ['129e6', '129e6'],
  ['1e3', '1e3'],
  ['0', '0'],
  ['0.0000000001', '1n'],
  ['-1', '-1'],
  ['1.', '1'],
  ['.5', '500m'],
  [2, '2'],
  [0.25, '250m'],
];

for (const [input, want] of canonical) {
  test(`quantity: ${input} prints as ${want}`, () => assert.equal(canonicalQuantity(input), want));
}

const values: Array<[input: string, want: number]> = [
  ['500m', 0.5],
  ['1Gi', 1073741824],
  ['2k', 2000],
  ['1e3', 1000],
  ['3', 3],
];

for (const [input, want] of values) {
  test(`quantity: ${input} is ${want} base units`, () => assert.equal(parseQuantity(input), want));
}

const errors: Array<[input: string, want: string]> = [
  ['abc', QUANTITY_FORMAT_ERROR],
  ['1K', QUANTITY_SUFFIX_ERROR],
  ['1.2.3', QUANTITY_FORMAT_ERROR],
  ['', QUANTITY_FORMAT_ERROR],
];

for (const [input, want] of errors) {
  test(`quantity: ${JSON.stringify(input)} is rejected`, () => assert.equal(quantityError(input), want));
}

test('quantity: comparison across formats', () => {
  assert.equal(compareQuantities('1Gi', '1073741824'), 0);
  assert.equal(compareQuantities('500m', '1'), -1);
  assert.equal(compareQuantities('2', '1500m'), 1);
});

test('quantity: milli values round up', () => {
  assert.equal(milliValue('1'), 1000n);
  assert.equal(milliValue('0.0001'), 1n);
  assert.equal(milliValue('250m'), 250n);
});
