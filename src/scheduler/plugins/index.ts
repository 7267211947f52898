// The default profile: upstream's plugins in upstream's order. Filters run in this order and a
// node's first rejection is its reason; score weights are upstream's defaults (TaintToleration
// 3; NodeAffinity, PodTopologySpread, InterPodAffinity 2; resource scores 1).
import type { Plugin } from '../framework.js';
import { interPodAffinity } from './interpodaffinity.js';
import { nodeAffinity } from './nodeaffinity.js';
import { nodeName } from './nodename.js';
import { nodePorts } from './nodeports.js';
import { nodeResourcesBalancedAllocation, nodeResourcesFit } from './noderesources.js';
import { nodeUnschedulable } from './nodeunschedulable.js';
import { podTopologySpread } from './podtopologyspread.js';
import { taintToleration } from './tainttoleration.js';
import { volumeBinding } from './volumebinding.js';
import { volumeZone } from './volumezone.js';

export const defaultPlugins: readonly Plugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeBinding,
  volumeZone,
  podTopologySpread,
  interPodAffinity,
  nodeResourcesBalancedAllocation,
];
