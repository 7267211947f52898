// Services: ports and their names, types, cluster IPs and IP families, session affinity, traffic
// policies, node ports, and which allocated values an update may not change.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { isObject } from '../types.js';
import { arr, duplicate, forbidden, has, invalid, notSupported, obj, required, str, validateLabels, type Obj } from './common.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { cidrErrors, ipErrors, isDNS1123Label, isDNS1123Subdomain, isIPv6String, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from './names.js';
import { FieldPath } from './path.js';
import { validatePortNumOrName } from './pod.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

/** The node port range upstream's default allocator serves. */
export const NODE_PORT_RANGE = { base: 30000, size: 2768 };

const spec = FieldPath.of('spec');

function isHeadless(s: Obj): boolean {
  const ips = arr(s.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

function externallyAccessible(s: Obj): boolean {
  return s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && arr(s.externalIPs).length > 0);
}

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp.name);
  if (requireName && !name) errs.push(required(path.child('name')));
  else if (name) {
    errs.push(...isDNS1123Label(name).map((m) => invalid(path.child('name'), name, m)));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(path.child('port'), sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(path.child('protocol')));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(path.child('protocol'), sp.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (has(sp, 'appProtocol')) errs.push(...isQualifiedName(str(sp.appProtocol)).map((m) => invalid(path.child('appProtocol'), sp.appProtocol, m)));
  if (sp.nodePort && (sp.nodePort < NODE_PORT_RANGE.base || sp.nodePort >= NODE_PORT_RANGE.base + NODE_PORT_RANGE.size)) {
    errs.push(invalid(path.child('nodePort'), sp.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.base}-${NODE_PORT_RANGE.base + NODE_PORT_RANGE.size - 1}`));
  }
  return errs;
}

function validateClusterIPsRelatedFields(s: Obj): FieldError[] {
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = arr(s.clusterIPs).map(String);
  const ipsPath = spec.child('clusterIPs');
  if (s.clusterIP) {
    if (ips.length === 0) errs.push(required(ipsPath));
    else if (ips[0] !== s.clusterIP) errs.push(invalid(ipsPath, ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalid(ipsPath, ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  arr(s.ipFamilies).forEach((f, i) => {
    if (!['IPv4', 'IPv6'].includes(f)) errs.push(notSupported(spec.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(spec.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (has(s, 'ipFamilyPolicy') && !policies.includes(s.ipFamilyPolicy)) errs.push(notSupported(spec.child('ipFamilyPolicy'), s.ipFamilyPolicy, policies));
  let invalidIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalidIPs = true;
        errs.push(invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = ipErrors(ip);
    if (msgs.length > 0) invalidIPs = true;
    errs.push(...msgs.map((m) => invalid(ipsPath.index(i), ip, m)));
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ips, 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (ips.length > 1 && isIPv6String(ips[0]) === isIPv6String(ips[1])) errs.push(invalid(ipsPath, ips, 'may specify no more than one IP for each IP family'));
  if (!isHeadless(s)) {
    const families = arr(s.ipFamilies);
    ips.forEach((ip, i) => {
      if (i >= families.length) return;
      if (families[i] === 'IPv4' && isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateServiceSpec(svc: KubeObject): FieldError[] {
  const s = obj(svc.spec);
  const errs: FieldError[] = [];
  const annotations = obj(svc.metadata?.annotations);
  const hints = annotations['service.kubernetes.io/topology-aware-hints'];
  const mode = annotations['service.kubernetes.io/topology-mode'];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(invalid(FieldPath.of('metadata', 'annotations').key('service.kubernetes.io/topology-mode'), mode, 'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified'));
  }
  const ports = arr(s.ports).map(obj);
  if (ports.length === 0 && !isHeadless(s) && s.type !== 'ExternalName') errs.push(required(spec.child('ports')));
  switch (s.type) {
    case 'LoadBalancer':
      if (isHeadless(s)) errs.push(invalid(spec.child('clusterIPs').index(0), 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (isHeadless(s)) errs.push(invalid(spec.child('clusterIPs').index(0), 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (arr(s.clusterIPs).length > 0) errs.push(forbidden(spec.child('clusterIPs'), 'may not be set for ExternalName services'));
      if (arr(s.ipFamilies).length > 0) errs.push(forbidden(spec.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (has(s, 'ipFamilyPolicy')) errs.push(forbidden(spec.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = str(s.externalName).replace(/\.$/, '');
      if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid(spec.child('externalName'), cname, m)));
      else errs.push(required(spec.child('externalName')));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, spec.child('ports').index(i))));
  if (isObject(s.selector)) errs.push(...validateLabels(s.selector, spec.child('selector')));
  if (!s.sessionAffinity) errs.push(required(spec.child('sessionAffinity')));
  else if (!['ClientIP', 'None'].includes(s.sessionAffinity)) errs.push(notSupported(spec.child('sessionAffinity'), s.sessionAffinity, ['ClientIP', 'None']));
  const affinityPath = spec.child('sessionAffinityConfig');
  if (s.sessionAffinity === 'ClientIP') {
    const cfg = s.sessionAffinityConfig;
    if (!isObject(cfg)) errs.push(required(affinityPath, 'when session affinity type is ClientIP'));
    else if (!isObject(cfg.clientIP)) errs.push(required(affinityPath.child('clientIP'), 'when session affinity type is ClientIP'));
    else if (!has(cfg.clientIP, 'timeoutSeconds')) errs.push(required(affinityPath.child('clientIP').child('timeoutSeconds'), 'when session affinity type is ClientIP'));
    else if (!(cfg.clientIP.timeoutSeconds > 0 && cfg.clientIP.timeoutSeconds <= MAX_CLIENT_IP_AFFINITY_SECONDS)) {
      errs.push(invalid(affinityPath.child('clientIP').child('timeoutSeconds'), cfg.clientIP.timeoutSeconds, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (s.sessionAffinity === 'None' && isObject(s.sessionAffinityConfig)) {
    errs.push(forbidden(affinityPath, 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelatedFields(s));
  arr(s.externalIPs).forEach((ip, i) => {
    const msgs = ipErrors(String(ip));
    errs.push(...msgs.map((m) => invalid(spec.child('externalIPs').index(i), ip, m)));
  });
  if (!s.type) errs.push(required(spec.child('type')));
  else if (!SERVICE_TYPES.includes(s.type)) errs.push(notSupported(spec.child('type'), s.type, SERVICE_TYPES));
  if (s.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(spec.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(spec.child('ports').index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seenPorts.has(key)) errs.push(duplicate(spec.child('ports').index(i), { port: p.port ?? 0, protocol: p.protocol ?? '' }));
    seenPorts.add(key);
  });
  const ranges = arr(s.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    const p = spec.child('LoadBalancerSourceRanges');
    if (s.type !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...cidrErrors(String(r).trim()).map((m) => invalid(p.index(i), String(r).trim(), m))));
  }
  if (has(s, 'allocateLoadBalancerNodePorts') && s.type !== 'LoadBalancer') errs.push(forbidden(spec.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  if (s.type === 'LoadBalancer' && !has(s, 'allocateLoadBalancerNodePorts')) errs.push(required(FieldPath.of('allocateLoadBalancerNodePorts')));
  if (s.type === 'LoadBalancer') {
    if (has(s, 'loadBalancerClass')) errs.push(...isQualifiedName(str(s.loadBalancerClass)).map((m) => invalid(spec.child('loadBalancerClass'), s.loadBalancerClass, m)));
  } else if (has(s, 'loadBalancerClass')) {
    errs.push(forbidden(spec.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (!externallyAccessible(s)) {
    if (s.externalTrafficPolicy) errs.push(invalid(spec.child('externalTrafficPolicy'), s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!s.externalTrafficPolicy) {
    errs.push(required(spec.child('externalTrafficPolicy')));
  } else if (!['Cluster', 'Local'].includes(s.externalTrafficPolicy)) {
    errs.push(notSupported(spec.child('externalTrafficPolicy'), s.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  const needsHealthCheck = s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (!needsHealthCheck) {
    if (s.healthCheckNodePort) errs.push(invalid(spec.child('healthCheckNodePort'), s.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (s.healthCheckNodePort) {
    errs.push(...isValidPortNum(s.healthCheckNodePort).map((m) => invalid(spec.child('healthCheckNodePort'), s.healthCheckNodePort, m)));
  }
  if (!has(s, 'internalTrafficPolicy')) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) errs.push(required(spec.child('internalTrafficPolicy')));
  } else if (!['Cluster', 'Local'].includes(s.internalTrafficPolicy)) {
    errs.push(notSupported(spec.child('internalTrafficPolicy'), s.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (has(s, 'trafficDistribution') && !['PreferClose', 'PreferSameZone', 'PreferSameNode'].includes(s.trafficDistribution)) {
    errs.push(notSupported(spec.child('trafficDistribution'), s.trafficDistribution, ['PreferClose', 'PreferSameZone', 'PreferSameNode']));
  }
  return errs;
}

function validateUpgradeDowngradeClusterIPs(old: Obj, s: Obj): FieldError[] {
  if (s.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) && isHeadless(s)) return [];
  const errs: FieldError[] = [];
  const oldIPs = arr(old.clusterIPs);
  const newIPs = arr(s.clusterIPs);
  const p = spec.child('clusterIPs');
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(invalid(p.index(i), newIPs, 'may not change once set'));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(invalid(p.index(0), newIPs.length ? newIPs : null, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) errs.push(invalid(p.index(0), newIPs, 'may not change once set'));
    if (newIPs.length === 1 && s.ipFamilyPolicy !== 'SingleStack') errs.push(invalid(spec.child('ipFamilyPolicy'), s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(invalid(p.index(0), newIPs, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Obj, s: Obj): FieldError[] {
  if (s.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) !== isHeadless(s) || isHeadless(s)) return [];
  const errs: FieldError[] = [];
  const oldF = arr(old.ipFamilies);
  const newF = arr(s.ipFamilies);
  const p = spec.child('ipFamilies');
  if (oldF.length === newF.length) {
    oldF.forEach((f, i) => {
      if (f !== newF[i]) errs.push(invalid(p.index(0), newF, 'may not change once set'));
    });
  } else if (oldF.length > newF.length) {
    if (arr(s.clusterIPs).length === 0) errs.push(invalid(p.index(0), newF, 'primary ipFamily can not be unset'));
    if (newF.length > 0 && newF[0] !== oldF[0]) errs.push(invalid(p.index(0), arr(s.clusterIPs), 'may not change once set'));
    if (newF.length === 1 && s.ipFamilyPolicy !== 'SingleStack') errs.push(invalid(spec.child('ipFamilyPolicy'), s.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(invalid(p.index(0), arr(s.clusterIPs), 'may not change once set'));
  }
  return errs;
}

export function validateService(svc: KubeObject, old?: KubeObject): FieldError[] {
  if (!old) return [...validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label, kubeFinalizers: true }), ...validateServiceSpec(svc)];
  const s = obj(svc.spec);
  const o = obj(old.spec);
  const errs = [...validateObjectMetaUpdate(svc.metadata, old.metadata, { kubeFinalizers: true }), ...validateUpgradeDowngradeClusterIPs(o, s), ...validateUpgradeDowngradeIPFamilies(o, s)];
  if (o.type === 'LoadBalancer' && s.type === 'LoadBalancer' && (o.loadBalancerClass ?? null) !== (s.loadBalancerClass ?? null)) {
    errs.push(invalid(spec.child('loadBalancerClass'), s.loadBalancerClass ?? null, 'may not change once set'));
  }
  const needsHC = (x: Obj) => x.type === 'LoadBalancer' && x.externalTrafficPolicy === 'Local';
  if (needsHC(o) && needsHC(s) && o.healthCheckNodePort && s.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(forbidden(spec.child('healthCheckNodePort'), 'field is immutable'));
  }
  return [...errs, ...validateServiceSpec(svc)];
}
