// Upstream names for things the OpenAPI document mentions: the definition name of each
// client-node model ("V1Deployment" → "io.k8s.api.apps.v1.Deployment"), of a custom resource
// kind, and the operation ids / tags upstream derives from a group and version.

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APIEXTENSIONS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/** Packages of the unprefixed "V1…" models that are not core/v1 (the default). */
const v1Packages: Record<string, string[]> = {
  [META]: [
    'ObjectMeta', 'ManagedFieldsEntry', 'OwnerReference', 'LabelSelector', 'LabelSelectorRequirement', 'Condition',
    'Status', 'StatusDetails', 'StatusCause', 'ListMeta', 'APIResourceList', 'APIResource', 'APIGroupList', 'APIGroup',
    'GroupVersionForDiscovery', 'ServerAddressByClientCIDR', 'DeleteOptions', 'Preconditions', 'FieldSelectorRequirement',
  ],
  'io.k8s.api.apps.v1': [
    'Deployment', 'DeploymentSpec', 'DeploymentStrategy', 'RollingUpdateDeployment', 'DeploymentStatus', 'DeploymentCondition',
    'ReplicaSet', 'ReplicaSetSpec', 'ReplicaSetStatus', 'ReplicaSetCondition',
    'DaemonSet', 'DaemonSetSpec', 'DaemonSetUpdateStrategy', 'RollingUpdateDaemonSet', 'DaemonSetStatus', 'DaemonSetCondition',
    'StatefulSet', 'StatefulSetSpec', 'StatefulSetOrdinals', 'StatefulSetPersistentVolumeClaimRetentionPolicy',
    'StatefulSetUpdateStrategy', 'RollingUpdateStatefulSetStrategy', 'StatefulSetStatus', 'StatefulSetCondition',
    'ControllerRevision',
  ],
  'io.k8s.api.batch.v1': [
    'Job', 'JobSpec', 'PodFailurePolicy', 'PodFailurePolicyRule', 'PodFailurePolicyOnExitCodesRequirement',
    'PodFailurePolicyOnPodConditionsPattern', 'SuccessPolicy', 'SuccessPolicyRule', 'JobStatus', 'JobCondition',
    'UncountedTerminatedPods', 'CronJob', 'CronJobSpec', 'JobTemplateSpec', 'CronJobStatus',
  ],
  'io.k8s.api.autoscaling.v1': [
    'HorizontalPodAutoscaler', 'HorizontalPodAutoscalerSpec', 'CrossVersionObjectReference', 'HorizontalPodAutoscalerStatus',
    'Scale', 'ScaleSpec', 'ScaleStatus',
  ],
  'io.k8s.api.policy.v1': ['PodDisruptionBudget', 'PodDisruptionBudgetSpec', 'PodDisruptionBudgetStatus', 'Eviction'],
  'io.k8s.api.certificates.v1': ['CertificateSigningRequest', 'CertificateSigningRequestSpec', 'CertificateSigningRequestStatus', 'CertificateSigningRequestCondition'],
  'io.k8s.api.coordination.v1': ['Lease', 'LeaseSpec'],
  'io.k8s.api.discovery.v1': ['EndpointSlice', 'Endpoint', 'EndpointConditions', 'EndpointHints', 'ForNode', 'ForZone'],
  'io.k8s.api.storage.v1': [
    'StorageClass', 'CSIDriver', 'CSIDriverSpec', 'CSINode', 'CSINodeSpec', 'CSINodeDriver', 'VolumeNodeResources',
    'VolumeAttachment', 'VolumeAttachmentSpec', 'VolumeAttachmentSource', 'VolumeAttachmentStatus', 'VolumeError',
  ],
  'io.k8s.api.rbac.v1': ['Role', 'PolicyRule', 'ClusterRole', 'AggregationRule', 'RoleBinding', 'RoleRef', 'ClusterRoleBinding'],
  'io.k8s.api.scheduling.v1': ['PriorityClass'],
  [APIEXTENSIONS]: [
    'CustomResourceDefinition', 'CustomResourceDefinitionSpec', 'CustomResourceConversion', 'WebhookConversion',
    'CustomResourceDefinitionNames', 'CustomResourceDefinitionVersion', 'CustomResourceColumnDefinition',
    'CustomResourceValidation', 'JSONSchemaProps', 'ExternalDocumentation', 'ValidationRule', 'SelectableField',
    'CustomResourceSubresources', 'CustomResourceSubresourceScale', 'CustomResourceDefinitionStatus',
    'CustomResourceDefinitionCondition',
  ],
  'io.k8s.api.networking.v1': [
    'IngressClass', 'IngressClassSpec', 'IngressClassParametersReference', 'Ingress', 'IngressSpec', 'IngressBackend',
    'IngressServiceBackend', 'ServiceBackendPort', 'IngressRule', 'HTTPIngressRuleValue', 'HTTPIngressPath', 'IngressTLS',
    'IngressStatus', 'IngressLoadBalancerStatus', 'IngressLoadBalancerIngress', 'IngressPortStatus',
    'NetworkPolicy', 'NetworkPolicySpec', 'NetworkPolicyEgressRule', 'NetworkPolicyPort', 'NetworkPolicyPeer', 'IPBlock',
    'NetworkPolicyIngressRule',
  ],
  'io.k8s.api.authentication.v1': ['TokenReview', 'TokenReviewSpec', 'TokenReviewStatus', 'UserInfo'],
  'io.k8s.api.authorization.v1': [
    'SelfSubjectAccessReview', 'SelfSubjectAccessReviewSpec', 'NonResourceAttributes', 'ResourceAttributes',
    'FieldSelectorAttributes', 'LabelSelectorAttributes', 'SubjectAccessReviewStatus', 'SubjectAccessReview',
    'SubjectAccessReviewSpec', 'SelfSubjectRulesReview', 'SelfSubjectRulesReviewSpec', 'SubjectRulesReviewStatus',
    'NonResourceRule', 'ResourceRule',
  ],
};

/** Models whose client-node name carries their package: "CoreV1Event", "RbacV1Subject". */
const prefixedPackages: Array<[RegExp, string]> = [
  [/^CoreV1(.+)$/, CORE],
  [/^EventsV1(.+)$/, 'io.k8s.api.events.v1'],
  [/^DiscoveryV1(.+)$/, 'io.k8s.api.discovery.v1'],
  [/^StorageV1(.+)$/, 'io.k8s.api.storage.v1'],
  [/^RbacV1(.+)$/, 'io.k8s.api.rbac.v1'],
  [/^ApiextensionsV1(.+)$/, APIEXTENSIONS],
  [/^V2(.+)$/, 'io.k8s.api.autoscaling.v2'],
];

const v1Package = new Map<string, string>();
for (const [pkg, names] of Object.entries(v1Packages)) for (const n of names) v1Package.set(n, pkg);

/** Upstream definition names of the types client-node folds into primitives. */
export const special = {
  time: `${META}.Time`,
  microTime: `${META}.MicroTime`,
  fieldsV1: `${META}.FieldsV1`,
  patch: `${META}.Patch`,
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  json: `${APIEXTENSIONS}.JSON`,
  jsonSchemaPropsOrArray: `${APIEXTENSIONS}.JSONSchemaPropsOrArray`,
  jsonSchemaPropsOrBool: `${APIEXTENSIONS}.JSONSchemaPropsOrBool`,
  jsonSchemaPropsOrStringArray: `${APIEXTENSIONS}.JSONSchemaPropsOrStringArray`,
  customResourceSubresourceStatus: `${APIEXTENSIONS}.CustomResourceSubresourceStatus`,
} as const;

/** Upstream definition name of a client-node model: "V1Deployment" → "io.k8s.api.apps.v1.Deployment". */
export function definitionName(model: string): string {
  for (const [re, pkg] of prefixedPackages) {
    const m = re.exec(model);
    if (m) return `${pkg}.${m[1]}`;
  }
  const bare = model.replace(/^V1/, '');
  return `${v1Package.get(bare) ?? CORE}.${bare}`;
}

/** Definition name of a custom resource kind, as upstream publishes it: group "stable.example.com" → "com.example.stable.v1.CronTab". */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The GroupVersion path segment: "api/v1", "apis/apps/v1". */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Operation id stem upstream uses for a group version: "CoreV1", "AppsV1", "RbacAuthorizationV1", "StableExampleComV1". */
export function operationGroupVersion(group: string, version: string): string {
  const words = group ? group.replace(/\.k8s\.io$/, '').split(/[.-]/) : ['core'];
  return words.map(capitalize).join('') + capitalize(version);
}

/** Tag upstream puts on a group version's operations: "core_v1", "apps_v1", "rbacAuthorization_v1". */
export function operationTag(group: string, version: string): string {
  const stem = operationGroupVersion(group, version);
  const gv = stem.slice(0, stem.length - version.length);
  return `${gv[0].toLowerCase()}${gv.slice(1)}_${version}`;
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
