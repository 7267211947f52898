import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrErrors, ipErrors, isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isLabelValue, isQualifiedName, isRelaxedEnvVarName, isValidPortName, nameIsDNSSubdomain } from './names.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const cases: Array<{ name: string; got: string[]; want: string[] }> = [
  { name: 'subdomain ok', got: isDNS1123Subdomain('example.com'), want: [] },
  { name: 'subdomain uppercase', got: isDNS1123Subdomain('Bad_Name'), want: [SUBDOMAIN_MSG] },
  { name: 'subdomain too long', got: isDNS1123Subdomain('a'.repeat(254)), want: ['must be no more than 253 characters'] },
  { name: 'label ok', got: isDNS1123Label('my-name'), want: [] },
  { name: 'label with dots', got: isDNS1123Label('a.b'), want: ['must not contain dots'] },
  { name: 'label underscore', got: isDNS1123Label('a_b'), want: [LABEL_MSG] },
  { name: 'label too long', got: isDNS1123Label('a'.repeat(64)), want: ['must be no more than 63 characters'] },
  {
    name: 'dns1035 leading digit',
    got: isDNS1035Label('1svc'),
    want: ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
  },
  { name: 'qualified ok', got: isQualifiedName('example.com/MyName'), want: [] },
  { name: 'qualified empty prefix', got: isQualifiedName('/name'), want: ['prefix part must be non-empty'] },
  {
    name: 'qualified bad name',
    got: isQualifiedName('-bad'),
    want: ["name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
  },
  {
    name: 'qualified two slashes',
    got: isQualifiedName('a/b/c'),
    want: ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"],
  },
  { name: 'label value empty ok', got: isLabelValue(''), want: [] },
  {
    name: 'label value bad',
    got: isLabelValue('bad value!'),
    want: ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
  },
  { name: 'port name ok', got: isValidPortName('http-alt'), want: [] },
  { name: 'port name digits only', got: isValidPortName('8080'), want: ['must contain at least one letter (a-z)'] },
  { name: 'port name double hyphen', got: isValidPortName('a--b'), want: ['must not contain consecutive hyphens'] },
  { name: 'port name too long', got: isValidPortName('abcdefghijklmnop'), want: ['must be no more than 15 characters'] },
  { name: 'env name relaxed ok', got: isRelaxedEnvVarName('1_WEIRD-name.x'), want: [] },
  { name: 'env name with =', got: isRelaxedEnvVarName('A=B'), want: ["a valid environment variable name must consist only of printable ASCII characters other than '='"] },
  { name: 'config key dotdot', got: isConfigMapKey('..x'), want: ["must not start with '..'"] },
  { name: 'ip ok', got: ipErrors('10.0.0.1'), want: [] },
  { name: 'ip leading zero', got: ipErrors('010.0.0.1'), want: ['must not have leading 0s'] },
  { name: 'ip garbage', got: ipErrors('nope'), want: ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: 'ipv6 not canonical', got: ipErrors('2001:DB8::1'), want: ['must be in canonical form ("2001:db8::1")'] },
  { name: 'cidr ok', got: cidrErrors('10.0.0.0/8'), want: [] },
  { name: 'cidr host bits', got: cidrErrors('10.0.0.1/8'), want: ['must not have bits set beyond the prefix length'] },
  { name: 'generateName may end in a dash', got: nameIsDNSSubdomain('web-', true), want: [] },
];

for (const c of cases) {
  test(`names: ${c.name}`, () => assert.deepEqual(c.got, c.want));
}
