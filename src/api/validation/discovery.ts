// discovery.k8s.io/v1 EndpointSlice: address type, endpoints and their addresses, ports.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { arr, duplicate, has, immutable, invalid, notSupported, obj, required, str, tooMany, validateLabelName, validateLabels } from './common.js';
import { validateNonSpecialIP } from './core.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { ipErrors, isDNS1123Label, isDNS1123Subdomain, isIPv6String, isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { FieldPath } from './path.js';
import { isIPv4 } from 'node:net';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function fqdnErrors(name: string, path: FieldPath): FieldError[] {
  if (!name) return [required(path)];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const msgs = isDNS1123Subdomain(trimmed);
  if (msgs.length > 0) return [invalid(path, trimmed, msgs.join(','))];
  if (trimmed.split('.').length < 2) return [invalid(path, trimmed, 'should be a domain with at least two segments separated by dots')];
  for (const label of trimmed.split('.')) {
    const l = isDNS1123Label(label);
    if (l.length > 0) return [invalid(path, label, l.join(','))];
  }
  return [];
}

export function validateEndpointSlice(slice: KubeObject, old?: KubeObject): FieldError[] {
  const o = slice as Record<string, any>;
  const errs = old ? validateObjectMetaUpdate(slice.metadata, old.metadata, { kubeFinalizers: true }) : [];
  errs.push(...validateObjectMeta(slice.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true }));
  const addressType = str(o.addressType);
  if (!addressType) errs.push(required(FieldPath.of('addressType')));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(notSupported(FieldPath.of('addressType'), addressType, ADDRESS_TYPES));
  const endpoints = arr(o.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany(FieldPath.of('endpoints'), endpoints.length, 1000));
  else endpoints.forEach((raw, i) => {
    const ep = obj(raw);
    const p = FieldPath.of('endpoints').index(i);
    const addresses = arr(ep.addresses).map(String);
    if (addresses.length === 0) errs.push(required(p.child('addresses'), 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(p.child('addresses'), addresses.length, 100));
    addresses.forEach((a, j) => {
      const ap = p.child('addresses').index(j);
      if (addressType === 'IPv4' || addressType === 'IPv6') {
        const wrongFamily = addressType === 'IPv4' ? !isIPv4(a) : !isIPv6String(a);
        const msgs = wrongFamily ? [`must be a valid ${addressType} address`] : ipErrors(a);
        if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(ap, a, m)));
        else errs.push(...validateNonSpecialIP(a, ap));
      } else if (addressType === 'FQDN') {
        errs.push(...fqdnErrors(a, ap));
      }
    });
    if (has(ep, 'nodeName')) errs.push(...isDNS1123Subdomain(str(ep.nodeName)).map((m) => invalid(p.child('nodeName'), ep.nodeName, m)));
    const topology = obj(ep.deprecatedTopology);
    if (Object.keys(topology).length > 16) errs.push(tooMany(p.child('deprecatedTopology'), Object.keys(topology).length, 16));
    errs.push(...validateLabels(topology, p.child('deprecatedTopology')));
    if (has(ep, 'zone')) errs.push(...validateLabelName(str(ep.zone), p.child('zone')));
    if (has(ep, 'hostname')) errs.push(...isDNS1123Label(str(ep.hostname)).map((m) => invalid(p.child('hostname'), ep.hostname, m)));
    if (isObject(ep.hints)) {
      const zones = arr(ep.hints.forZones);
      if (zones.length > 8) errs.push(tooMany(p.child('hints', 'forZones'), zones.length, 8));
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const name = str(obj(z).name);
        const zp = p.child('hints', 'forZones').index(j).child('name');
        if (seen.has(name)) errs.push(duplicate(zp, name));
        else seen.add(name);
        errs.push(...validateLabelName(name, zp));
      });
    }
  });
  const ports = arr(o.ports);
  if (ports.length > 20000) errs.push(tooMany(FieldPath.of('ports'), ports.length, 20000));
  else {
    const names = new Set<string>();
    ports.forEach((raw, i) => {
      const port = obj(raw);
      const p = FieldPath.of('ports').index(i);
      const name = str(port.name);
      if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(p.child('name'), name, m)));
      if (names.has(name)) errs.push(duplicate(p.child('name'), name));
      else names.add(name);
      if (!has(port, 'protocol')) errs.push(required(p.child('protocol')));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, PROTOCOLS));
      if (has(port, 'appProtocol')) errs.push(...isQualifiedName(str(port.appProtocol)).map((m) => invalid(p.child('appProtocol'), port.appProtocol, m)));
    });
  }
  if (old) errs.push(...immutable(o.addressType, (old as Record<string, any>).addressType, FieldPath.of('addressType')));
  return errs;
}
