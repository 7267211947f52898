// Fixtures for the validation and defaulting tests: minimal valid objects of the common kinds,
// and a helper that defaults an object the way the API server would before validating it.
import { applyDefaults, prepareForCreate } from '../defaults/index.js';
import { fieldErrorText, type FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { validate } from './index.js';

/** Renders errors as upstream prints them, including "Not found" which errors.ts does not know yet. */
export function render(errs: FieldError[]): string[] {
  return errs.map((e) => ((e.type as string) === 'FieldValueNotFound' ? `${e.field}: Not found: ${JSON.stringify(e.value)}${e.detail ? `: ${e.detail}` : ''}` : fieldErrorText(e)));
}

/** Defaults (and, for creates, prepares) the objects as the API server does, then validates. */
export function check(gk: string, obj: KubeObject, old?: KubeObject, version = 'v1'): string[] {
  applyDefaults(gk, obj, version);
  if (old) applyDefaults(gk, old, version);
  else prepareForCreate(gk, obj);
  return render(validate(gk, obj, old));
}

export function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] {
  return { name, ...(namespace ? { namespace } : {}), uid: `uid-${name}`, ...extra };
}

export function podSpec(): Record<string, any> {
  return { containers: [{ name: 'app', image: 'nginx:1.27' }] };
}

export function pod(mutate?: (p: Record<string, any>) => void): KubeObject {
  const p: Record<string, any> = { apiVersion: 'v1', kind: 'Pod', metadata: meta('web', 'default'), spec: podSpec() };
  mutate?.(p);
  return p as KubeObject;
}

export function template(labels: Record<string, string> = { app: 'web' }): Record<string, any> {
  return { metadata: { labels }, spec: podSpec() };
}

export function deployment(mutate?: (d: Record<string, any>) => void): KubeObject {
  const d: Record<string, any> = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web', 'default'),
    spec: { selector: { matchLabels: { app: 'web' } }, template: template() },
  };
  mutate?.(d);
  return d as KubeObject;
}

/** A copy as the store would hand it back: same object, with a resourceVersion. */
export function stored<T extends KubeObject>(o: T): T {
  const copy = JSON.parse(JSON.stringify(o)) as T;
  copy.metadata.resourceVersion = '1';
  return copy;
}
