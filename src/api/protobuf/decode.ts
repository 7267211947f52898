// Decoding Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) into the JSON
// objects the JSON API would have received, so everything past body parsing sees one form.
//
// A body is the magic `k8s\0` followed by a runtime.Unknown envelope: typeMeta {apiVersion, kind},
// raw (the object's own message), contentEncoding, contentType. messages.json holds, for every
// message of the supported API groups, its fields by number with their JSON names and the facts
// about the Go field that decide how a zero value reads in JSON (pointer, omitempty, inline). It is
// generated from upstream generated.proto and types.go; the commits are in its "source" entry.
//
// Pure: imports nothing of ours.
import { createRequire } from 'node:module';

export interface ProtobufField {
  /** The proto field name; also the JSON name unless `json` says otherwise. */
  name: string;
  json?: string;
  /** A scalar proto type (string, bytes, bool, int32, int64, double) or a full message name. */
  type?: string;
  repeated?: 1;
  map?: { key: string; value: string };
  /** The Go field is a pointer: present means set, even to a zero value. */
  pointer?: 1;
  /** The Go JSON tag has omitempty (or omitzero). */
  omitempty?: 1;
  /** An embedded Go struct: its fields appear in the enclosing JSON object. */
  inline?: 1;
}

export interface ProtobufMessage {
  fields: Record<string, ProtobufField>;
  /** The Go type is a slice (`type Verbs []string`): the JSON form is the `items` list itself. */
  array?: 1;
}

const require = createRequire(import.meta.url);
const { messages } = require('./messages.json') as { messages: Record<string, ProtobufMessage> };

/** Malformed or unsupported protobuf input; the API server answers it with 400 BadRequest. */
export class ProtobufDecodeError extends Error {
  override name = 'ProtobufDecodeError';
}

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const metaV1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const resource = 'k8s.io.apimachinery.pkg.api.resource';
const special = {
  quantity: `${resource}.Quantity`,
  quantityValue: `${resource}.QuantityValue`,
  time: `${metaV1}.Time`,
  microTime: `${metaV1}.MicroTime`,
  duration: `${metaV1}.Duration`,
  fieldsV1: `${metaV1}.FieldsV1`,
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  rawExtension: 'k8s.io.apimachinery.pkg.runtime.RawExtension',
  unknown: 'k8s.io.apimachinery.pkg.runtime.Unknown',
};

/** API group → the proto package stem under k8s.io.api (the version is appended). */
const groupPackages: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  'coordination.k8s.io': 'coordination',
  'discovery.k8s.io': 'discovery',
  'storage.k8s.io': 'storage',
  'rbac.authorization.k8s.io': 'rbac',
  'events.k8s.io': 'events',
  'scheduling.k8s.io': 'scheduling',
  'networking.k8s.io': 'networking',
  'authentication.k8s.io': 'authentication',
  'authorization.k8s.io': 'authorization',
  'certificates.k8s.io': 'certificates',
};

/** Kinds upstream registers in every group version (metav1.AddToGroupVersion); their messages live in meta/v1. */
const metaKindsInEveryGroup = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions']);

/** Deeper nesting than any built-in type reaches means hostile input; stop before the stack does. */
const maxDepth = 64;

export function isKubernetesProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/vnd.kubernetes.protobuf';
}

/** Decode a `k8s\0`-prefixed body into the JSON object it stands for, apiVersion and kind included. */
export function decodeKubernetesProtobuf(buf: Buffer): Record<string, unknown> {
  return decodeEnvelope(buf, 0);
}

function decodeEnvelope(buf: Buffer, depth: number): Record<string, unknown> {
  if (buf.length < magic.length || !buf.subarray(0, magic.length).equals(magic)) {
    throw new ProtobufDecodeError('the protobuf body does not start with the Kubernetes magic number "k8s\\x00"');
  }
  const envelope = new Reader(buf.subarray(magic.length));
  let typeMeta: Buffer | undefined;
  let raw: Buffer = Buffer.alloc(0);
  let contentEncoding = '';
  let contentType = '';
  while (!envelope.done()) {
    const [number, wire] = envelope.key();
    if (number >= 1 && number <= 4) {
      const value = envelope.lengthDelimited(wire, `runtime.Unknown field ${number}`);
      if (number === 1) typeMeta = value;
      else if (number === 2) raw = value;
      else if (number === 3) contentEncoding = value.toString('utf8');
      else contentType = value.toString('utf8');
    } else envelope.skip(wire);
  }
  if (contentEncoding !== '') throw new ProtobufDecodeError(`unsupported protobuf content encoding "${contentEncoding}"`);
  if (contentType !== '' && !isKubernetesProtobuf(contentType)) {
    throw new ProtobufDecodeError(`unsupported content type "${contentType}" inside the protobuf envelope`);
  }
  let apiVersion = '';
  let kind = '';
  const meta = new Reader(typeMeta ?? Buffer.alloc(0));
  while (!meta.done()) {
    const [number, wire] = meta.key();
    if (number === 1) apiVersion = meta.lengthDelimited(wire, 'typeMeta.apiVersion').toString('utf8');
    else if (number === 2) kind = meta.lengthDelimited(wire, 'typeMeta.kind').toString('utf8');
    else meta.skip(wire);
  }
  if (apiVersion === '' || kind === '') throw new ProtobufDecodeError('the protobuf envelope does not name an apiVersion and kind');
  const decoded = decodeMessage(raw, messageFor(apiVersion, kind), depth + 1);
  if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new ProtobufDecodeError(`${apiVersion}, Kind=${kind} is not an object kind`);
  }
  return { apiVersion, kind, ...decoded };
}

function messageFor(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const stem = groupPackages[group];
  const candidates = group === 'meta.k8s.io' ? [`k8s.io.apimachinery.pkg.apis.meta.${version}.${kind}`] : [];
  if (stem !== undefined) candidates.push(`k8s.io.api.${stem}.${version}.${kind}`);
  if (metaKindsInEveryGroup.has(kind)) candidates.push(`${metaV1}.${kind}`);
  const found = candidates.find((name) => messages[name] !== undefined);
  if (found === undefined) throw new ProtobufDecodeError(`protobuf is not supported for ${apiVersion}, Kind=${kind}; send JSON`);
  return found;
}

function decodeMessage(buf: Buffer, type: string, depth: number): unknown {
  if (depth > maxDepth) throw new ProtobufDecodeError(`protobuf messages nested more than ${maxDepth} deep`);
  switch (type) {
    case special.quantity:
    case special.quantityValue:
      // A zero Quantity reads "0" in JSON, as upstream prints it.
      return (fieldsOf(buf, type).get(1)?.toString('utf8') ?? '') || '0';
    case special.time:
      return decodeTime(buf, false);
    case special.microTime:
      return decodeTime(buf, true);
    case special.duration:
      return goDuration(scalarOf(buf, 1, 'int64'));
    case special.intOrString: {
      const fields = fieldsOf(buf, type);
      return scalarOf(buf, 1, 'int64') === 1 ? (fields.get(3)?.toString('utf8') ?? '') : scalarOf(buf, 2, 'int32');
    }
    case special.rawExtension:
    case special.fieldsV1:
      return decodeRaw(fieldsOf(buf, type).get(1), depth);
  }
  const message = messages[type];
  if (message === undefined) throw new ProtobufDecodeError(`no protobuf message ${type} is known`);

  // Gather first: a repeated field's elements may be interleaved with other fields, and occurrences
  // of a non-repeated message field merge, which for the encoding means concatenation.
  const values = new Map<number, unknown[]>();
  const chunks = new Map<number, Buffer[]>();
  const reader = new Reader(buf);
  while (!reader.done()) {
    const [number, wire] = reader.key();
    const field = message.fields[number];
    if (field === undefined) {
      reader.skip(wire);
      continue;
    }
    const where = `${type}.${field.name}`;
    if (field.map !== undefined) {
      push(values, number, decodeMapEntry(reader.lengthDelimited(wire, where), field.map, where, depth));
    } else if (isScalar(field.type!)) {
      if (field.repeated && wire === 2 && field.type !== 'string' && field.type !== 'bytes') {
        const packed = new Reader(reader.lengthDelimited(wire, where));
        while (!packed.done()) push(values, number, packed.scalar(field.type!, field.type === 'double' ? 1 : 0, where));
      } else if (field.repeated) push(values, number, reader.scalar(field.type!, wire, where));
      else values.set(number, [reader.scalar(field.type!, wire, where)]);
    } else {
      const bytes = reader.lengthDelimited(wire, where);
      if (field.repeated) push(values, number, decodeMessage(bytes, field.type!, depth + 1));
      else push(chunks, number, bytes);
    }
  }
  for (const [number, parts] of chunks) {
    values.set(number, [decodeMessage(Buffer.concat(parts), message.fields[number].type!, depth + 1)]);
  }

  if (message.array) return values.get(1) ?? [];
  const out: Record<string, unknown> = {};
  for (const [number, field] of Object.entries(message.fields)) {
    const present = values.get(Number(number));
    if (present === undefined) continue;
    const name = field.json ?? field.name;
    if (field.map !== undefined) out[name] = Object.fromEntries(present as Array<[string, unknown]>);
    else if (field.repeated) out[name] = present;
    else if (field.inline) Object.assign(out, present[0]);
    else if (keeps(field, present[0])) out[name] = present[0];
  }
  return out;
}

/**
 * Whether a singular field reads in JSON as upstream would print it. gogo-protobuf writes every
 * non-pointer field, zero or not; upstream's JSON drops the zero ones tagged omitempty. A pointer
 * field is written only when set, so its presence is meaningful even at zero (`replicas: 0`,
 * `emptyDir: {}`). A non-pointer struct that came out empty is dropped too: upstream prints it
 * as `{}` or null, which reads the same as absent.
 */
function keeps(field: ProtobufField, value: unknown): boolean {
  if (value === null) return false;
  if (field.pointer) return true;
  if (isScalar(field.type!)) return !field.omitempty || !isZero(value);
  return !isZero(value);
}

function isZero(value: unknown): boolean {
  if (value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function decodeMapEntry(buf: Buffer, map: { key: string; value: string }, where: string, depth: number): [string, unknown] {
  const entry = new Reader(buf);
  let key: unknown = zeroOf(map.key);
  let value: unknown;
  const valueBytes: Buffer[] = [];
  while (!entry.done()) {
    const [number, wire] = entry.key();
    if (number === 1) key = entry.scalar(map.key, wire, `${where} key`);
    else if (number === 2 && isScalar(map.value)) value = entry.scalar(map.value, wire, `${where} value`);
    else if (number === 2) valueBytes.push(entry.lengthDelimited(wire, `${where} value`));
    else entry.skip(wire);
  }
  if (!isScalar(map.value)) value = decodeMessage(Buffer.concat(valueBytes), map.value, depth + 1);
  return [String(key), value ?? zeroOf(map.value)];
}

/** Time is whole seconds (upstream's JSON never carried more); MicroTime keeps microseconds. */
function decodeTime(buf: Buffer, micro: boolean): string | null {
  // Upstream writes a zero Time as an empty message and prints it as null.
  if (buf.length === 0) return null;
  const seconds = scalarOf(buf, 1, 'int64');
  const nanos = micro ? scalarOf(buf, 2, 'int32') : 0;
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999 || nanos < 0 || nanos > 999_999_999) {
    throw new ProtobufDecodeError(`timestamp ${seconds}s ${nanos}ns is outside the range JSON can carry`);
  }
  const whole = date.toISOString().slice(0, 19);
  return micro ? `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${whole}Z`;
}

/** RawExtension and FieldsV1 carry JSON; a nested protobuf object (magic prefix) is decoded in turn. */
function decodeRaw(raw: Buffer | undefined, depth: number): unknown {
  if (raw === undefined || raw.length === 0) return null;
  if (raw.subarray(0, magic.length).equals(magic)) return decodeEnvelope(raw, depth + 1);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new ProtobufDecodeError(`embedded raw object is neither JSON nor protobuf: ${(err as Error).message}`);
  }
}

/**
 * Go's time.Duration.String: "0s", "1.5ms", "2h3m0.5s". Worked example: 5_400_000_000_000ns is
 * 5400s → 90m 0s → "1h30m0s"; sub-second values pick the largest unit below one (ns, µs, ms).
 */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  const u = Math.abs(nanoseconds);
  const fraction = (value: number, digits: number): string => {
    const scale = 10 ** digits;
    const rest = String(value % scale).padStart(digits, '0').replace(/0+$/, '');
    return `${Math.floor(value / scale)}${rest === '' ? '' : `.${rest}`}`;
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${fraction(u, 3)}µs`;
  if (u < 1e9) return `${sign}${fraction(u, 6)}ms`;
  const wholeSeconds = Math.floor(u / 1e9);
  const seconds = fraction((wholeSeconds % 60) * 1e9 + (u % 1e9), 9);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes === 0) return `${sign}${seconds}s`;
  const hours = Math.floor(minutes / 60);
  return `${sign}${hours > 0 ? `${hours}h` : ''}${minutes % 60}m${seconds}s`;
}

function isScalar(type: string): boolean {
  return !type.includes('.');
}

function zeroOf(type: string): unknown {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'bool') return false;
  return isScalar(type) ? 0 : undefined;
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The length-delimited fields of a small special message, last occurrence winning. */
function fieldsOf(buf: Buffer, type: string): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  const reader = new Reader(buf);
  while (!reader.done()) {
    const [number, wire] = reader.key();
    if (wire === 2) out.set(number, reader.lengthDelimited(wire, `${type} field ${number}`));
    else reader.skip(wire);
  }
  return out;
}

/** One varint field of a small special message (0 when absent), last occurrence winning. */
function scalarOf(buf: Buffer, wanted: number, type: 'int32' | 'int64'): number {
  let value = 0;
  const reader = new Reader(buf);
  while (!reader.done()) {
    const [number, wire] = reader.key();
    if (number === wanted) value = reader.scalar(type, wire, `field ${wanted}`) as number;
    else reader.skip(wire);
  }
  return value;
}

/** The protobuf wire format, read forward over one message's bytes. */
class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A field key: its number and wire type. */
  key(): [number, number] {
    const key = this.varint();
    const number = Math.floor(key / 8);
    if (number < 1 || number > 0x1fffffff) throw new ProtobufDecodeError(`invalid protobuf field number ${number}`);
    return [number, key % 8];
  }

  /** A scalar of a proto type; int32 and int64 are two's complement, as Go writes them. */
  scalar(type: string, wire: number, where: string): unknown {
    switch (type) {
      case 'string':
        // Like Go, which does not check UTF-8 here: invalid bytes read as U+FFFD, as upstream's JSON prints them.
        return this.lengthDelimited(wire, where).toString('utf8');
      case 'bytes':
        return this.lengthDelimited(wire, where).toString('base64');
      case 'bool':
        this.expect(wire, 0, where);
        return this.varint() !== 0;
      case 'int32':
        this.expect(wire, 0, where);
        return this.varint() | 0;
      case 'int64':
        this.expect(wire, 0, where);
        return this.varint();
      case 'double':
        this.expect(wire, 1, where);
        this.need(8, where);
        this.pos += 8;
        return this.buf.readDoubleLE(this.pos - 8);
    }
    throw new ProtobufDecodeError(`unsupported protobuf scalar type ${type} for ${where}`);
  }

  lengthDelimited(wire: number, where: string): Buffer {
    this.expect(wire, 2, where);
    const length = this.varint();
    this.need(length, where);
    this.pos += length;
    return this.buf.subarray(this.pos - length, this.pos);
  }

  /** Step over a field this decoder does not know. */
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.lengthDelimited(2, 'an unknown field');
    else if (wire === 5) this.advance(4);
    else throw new ProtobufDecodeError(`unsupported protobuf wire type ${wire}`);
  }

  /**
   * An unsigned varint read as a signed 64-bit value. Up to 7 bytes (49 bits) fit a Number exactly;
   * longer ones (negative numbers take 10) finish in BigInt. Past 2^53 precision is lost, as JSON
   * numbers lose it too.
   */
  private varint(): number {
    let value = 0;
    for (let shift = 0; shift < 49; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    let big = BigInt(value);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      const byte = this.byte();
      big |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return Number(BigInt.asIntN(64, big));
    }
    throw new ProtobufDecodeError('malformed protobuf: varint longer than 10 bytes');
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ProtobufDecodeError('malformed protobuf: truncated varint');
    return this.buf[this.pos++];
  }

  private advance(n: number): void {
    this.need(n, 'an unknown field');
    this.pos += n;
  }

  private need(n: number, where: string): void {
    if (n > this.buf.length - this.pos) throw new ProtobufDecodeError(`malformed protobuf: ${where} runs past the end of its message`);
  }

  private expect(wire: number, wanted: number, where: string): void {
    if (wire !== wanted) throw new ProtobufDecodeError(`malformed protobuf: ${where} has wire type ${wire}, expected ${wanted}`);
  }
}
