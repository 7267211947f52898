// Reading and decoding request bodies: a size limit (RequestEntityTooLarge past it), JSON or
// YAML by Content-Type, and clear BadRequest errors for malformed input.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errors } from '../api/errors.js';
import { isObject } from '../api/types.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from '../api/protobuf/decode.js';

/** Upstream's limit for a request body is 3 MiB. */
export const maxBodyBytes = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(errors.requestEntityTooLarge(`limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(errors.requestEntityTooLarge(`limit is ${limit}`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(errors.badRequest(`reading the request body: ${err.message}`));
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Media types a create or update body may have. */
export const objectMediaTypes = new Set(['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'application/vnd.kubernetes.protobuf']);

/** Decode a body as JSON (or YAML for the YAML media types) into a JSON value. */
export function decode(buf: Buffer, type: string): unknown {
  if (isKubernetesProtobuf(type)) {
    try {
      return decodeKubernetesProtobuf(buf);
    } catch (err) {
      throw errors.badRequest(`the protobuf request body could not be decoded: ${(err as Error).message}`);
    }
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the request body is empty');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'application/x-yaml' || type === 'text/yaml') {
    try {
      return parseYaml(text, { strict: true, uniqueKeys: true, maxAliasCount: 100 });
    } catch (err) {
      throw errors.badRequest(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function decodeObject(buf: Buffer, type: string): Record<string, any> {
  const value = decode(buf, type);
  if (!isObject(value)) throw errors.badRequest('the request body must be a JSON object');
  return value;
}
