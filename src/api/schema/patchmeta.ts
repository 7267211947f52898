// How lists and maps of the built-in types merge: the patch strategy and merge key that
// strategic-merge patch uses, and the list type / map keys that server-side apply uses.
// A table of facts per model field, read from the struct tags (patchStrategy, patchMergeKey)
// and markers (+listType, +listMapKey, +mapType, +structType) of upstream's Go types at
// Kubernetes 1.33 (k8s.io/api, apimachinery meta/v1, apiextensions v1), the version the
// models come from. A field not listed is replaced whole by strategic merge if it is a list,
// and for server-side apply follows the defaults in listSemantics below.

export interface PatchMeta {
  /** Strategic-merge patch strategy: 'merge' merges list items by mergeKey; 'retainKeys' clears fields not in the patch. */
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  /** Server-side apply list semantics. */
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  /** Values the schema defaults for list map keys an item may omit (a port's protocol is TCP). */
  listMapKeyDefaults?: Record<string, string>;
  /** Server-side apply struct/map semantics. */
  mapType?: 'atomic' | 'granular';
  /**
   * Every upstream object carries this field, even unset: a Go value struct ({} when empty:
   * spec, status, template) or a field without omitempty (null: a pod's containers), so its
   * appearance is never an added field in managedFields.
   */
  alwaysPresent?: boolean;
}

const table: Record<string, Record<string, PatchMeta>> = {
  CoreV1Event: {
    metadata: { alwaysPresent: true },
    involvedObject: { alwaysPresent: true },
    source: { alwaysPresent: true },
  },
  EventsV1Event: {
    metadata: { alwaysPresent: true },
    regarding: { alwaysPresent: true },
    deprecatedSource: { alwaysPresent: true },
  },
  V1APIGroup: {
    versions: { listType: 'atomic', alwaysPresent: true },
    serverAddressByClientCIDRs: { listType: 'atomic' },
    preferredVersion: { alwaysPresent: true },
  },
  V1APIGroupList: {
    groups: { listType: 'atomic', alwaysPresent: true },
  },
  V1APIResource: {
    shortNames: { listType: 'atomic' },
    categories: { listType: 'atomic' },
    verbs: { alwaysPresent: true },
  },
  V1APIResourceList: {
    resources: { listType: 'atomic', alwaysPresent: true },
  },
  V1AggregationRule: {
    clusterRoleSelectors: { listType: 'atomic' },
  },
  V1Binding: {
    metadata: { alwaysPresent: true },
    target: { alwaysPresent: true },
  },
  V1CSIDriver: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1CSIDriverSpec: {
    volumeLifecycleModes: { listType: 'set' },
    tokenRequests: { listType: 'atomic' },
  },
  V1CSINode: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1CSINodeDriver: {
    topologyKeys: { listType: 'atomic', alwaysPresent: true },
  },
  V1CSINodeSpec: {
    drivers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], alwaysPresent: true },
  },
  V1Capabilities: {
    add: { listType: 'atomic' },
    drop: { listType: 'atomic' },
  },
  V1CertificateSigningRequest: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1CertificateSigningRequestSpec: {
    usages: { listType: 'atomic' },
    groups: { listType: 'atomic' },
  },
  V1CertificateSigningRequestStatus: {
    conditions: { listType: 'map', listMapKeys: ['type'] },
  },
  V1CephFSPersistentVolumeSource: {
    monitors: { listType: 'atomic', alwaysPresent: true },
  },
  V1CephFSVolumeSource: {
    monitors: { listType: 'atomic', alwaysPresent: true },
  },
  V1ClusterRole: {
    rules: { listType: 'atomic', alwaysPresent: true },
    metadata: { alwaysPresent: true },
  },
  V1ClusterRoleBinding: {
    subjects: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
    roleRef: { alwaysPresent: true },
  },
  V1ConfigMap: {
    metadata: { alwaysPresent: true },
  },
  V1ConfigMapProjection: {
    items: { listType: 'atomic' },
  },
  V1ConfigMapVolumeSource: {
    items: { listType: 'atomic' },
  },
  V1Container: {
    command: { listType: 'atomic' },
    args: { listType: 'atomic' },
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], listMapKeyDefaults: { protocol: 'TCP' } },
    envFrom: { listType: 'atomic' },
    env: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resizePolicy: { listType: 'atomic' },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    volumeDevices: { patchStrategy: 'merge', patchMergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
    resources: { alwaysPresent: true },
  },
  V1ContainerImage: {
    names: { listType: 'atomic', alwaysPresent: true },
  },
  V1ContainerStatus: {
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    allocatedResourcesStatus: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    state: { alwaysPresent: true },
    lastState: { alwaysPresent: true },
  },
  V1ControllerRevision: {
    metadata: { alwaysPresent: true },
  },
  V1CronJob: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1CronJobSpec: {
    jobTemplate: { alwaysPresent: true },
  },
  V1CronJobStatus: {
    active: { listType: 'atomic' },
  },
  V1CustomResourceDefinition: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1CustomResourceDefinitionNames: {
    shortNames: { listType: 'atomic' },
    categories: { listType: 'atomic' },
  },
  V1CustomResourceDefinitionSpec: {
    versions: { listType: 'atomic', alwaysPresent: true },
    names: { alwaysPresent: true },
  },
  V1CustomResourceDefinitionStatus: {
    conditions: { listType: 'map', listMapKeys: ['type'], alwaysPresent: true },
    storedVersions: { listType: 'atomic', alwaysPresent: true },
    acceptedNames: { alwaysPresent: true },
  },
  V1CustomResourceDefinitionVersion: {
    additionalPrinterColumns: { listType: 'atomic' },
    selectableFields: { listType: 'atomic' },
  },
  V1DaemonSet: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1DaemonSetSpec: {
    selector: { alwaysPresent: true },
    template: { alwaysPresent: true },
    updateStrategy: { alwaysPresent: true },
  },
  V1DaemonSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1DeleteOptions: {
    dryRun: { listType: 'atomic' },
  },
  V1Deployment: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1DeploymentSpec: {
    strategy: { patchStrategy: 'retainKeys', alwaysPresent: true },
    selector: { alwaysPresent: true },
    template: { alwaysPresent: true },
  },
  V1DeploymentStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1DownwardAPIProjection: {
    items: { listType: 'atomic' },
  },
  V1DownwardAPIVolumeSource: {
    items: { listType: 'atomic' },
  },
  V1Endpoint: {
    addresses: { listType: 'set', alwaysPresent: true },
    conditions: { alwaysPresent: true },
  },
  V1EndpointHints: {
    forZones: { listType: 'atomic' },
    forNodes: { listType: 'atomic' },
  },
  V1EndpointSlice: {
    endpoints: { listType: 'atomic', alwaysPresent: true },
    ports: { listType: 'atomic', alwaysPresent: true },
    metadata: { alwaysPresent: true },
  },
  V1EndpointSubset: {
    addresses: { listType: 'atomic' },
    notReadyAddresses: { listType: 'atomic' },
    ports: { listType: 'atomic' },
  },
  V1Endpoints: {
    subsets: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
  },
  V1EphemeralContainer: {
    command: { listType: 'atomic' },
    args: { listType: 'atomic' },
    ports: { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], listMapKeyDefaults: { protocol: 'TCP' } },
    envFrom: { listType: 'atomic' },
    env: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resizePolicy: { listType: 'atomic' },
    volumeMounts: { patchStrategy: 'merge', patchMergeKey: 'mountPath', listType: 'map', listMapKeys: ['mountPath'] },
    volumeDevices: { patchStrategy: 'merge', patchMergeKey: 'devicePath', listType: 'map', listMapKeys: ['devicePath'] },
    resources: { alwaysPresent: true },
  },
  V1Eviction: {
    metadata: { alwaysPresent: true },
  },
  V1ExecAction: {
    command: { listType: 'atomic' },
  },
  V1FCVolumeSource: {
    targetWWNs: { listType: 'atomic' },
    wwids: { listType: 'atomic' },
  },
  V1FieldSelectorAttributes: {
    requirements: { listType: 'atomic' },
  },
  V1FieldSelectorRequirement: {
    values: { listType: 'atomic' },
  },
  V1HTTPGetAction: {
    httpHeaders: { listType: 'atomic' },
  },
  V1HTTPIngressPath: {
    backend: { alwaysPresent: true },
  },
  V1HTTPIngressRuleValue: {
    paths: { listType: 'atomic', alwaysPresent: true },
  },
  V1HorizontalPodAutoscaler: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1HorizontalPodAutoscalerSpec: {
    scaleTargetRef: { alwaysPresent: true },
  },
  V1HostAlias: {
    hostnames: { listType: 'atomic' },
  },
  V1IPBlock: {
    except: { listType: 'atomic' },
  },
  V1ISCSIPersistentVolumeSource: {
    portals: { listType: 'atomic' },
  },
  V1ISCSIVolumeSource: {
    portals: { listType: 'atomic' },
  },
  V1Ingress: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1IngressClass: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1IngressLoadBalancerIngress: {
    ports: { listType: 'atomic' },
  },
  V1IngressLoadBalancerStatus: {
    ingress: { listType: 'atomic' },
  },
  V1IngressServiceBackend: {
    port: { alwaysPresent: true },
  },
  V1IngressSpec: {
    tls: { listType: 'atomic' },
    rules: { listType: 'atomic' },
  },
  V1IngressStatus: {
    loadBalancer: { alwaysPresent: true },
  },
  V1IngressTLS: {
    hosts: { listType: 'atomic' },
  },
  V1JSONSchemaProps: {
    enum: { listType: 'atomic' },
    required: { listType: 'atomic' },
    allOf: { listType: 'atomic' },
    oneOf: { listType: 'atomic' },
    anyOf: { listType: 'atomic' },
    'x-kubernetes-list-map-keys': { listType: 'atomic' },
    'x-kubernetes-validations': { patchStrategy: 'merge', patchMergeKey: 'rule', listType: 'map', listMapKeys: ['rule'] },
  },
  V1Job: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1JobSpec: {
    template: { alwaysPresent: true },
  },
  V1JobStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' },
  },
  V1JobTemplateSpec: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1LabelSelector: {
    matchExpressions: { listType: 'atomic' },
  },
  V1LabelSelectorAttributes: {
    requirements: { listType: 'atomic' },
  },
  V1LabelSelectorRequirement: {
    values: { listType: 'atomic' },
  },
  V1Lease: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1LimitRange: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1LimitRangeSpec: {
    limits: { listType: 'atomic', alwaysPresent: true },
  },
  V1LinuxContainerUser: {
    supplementalGroups: { listType: 'atomic' },
  },
  V1LoadBalancerIngress: {
    ports: { listType: 'atomic' },
  },
  V1LoadBalancerStatus: {
    ingress: { listType: 'atomic' },
  },
  V1Namespace: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1NamespaceSpec: {
    finalizers: { listType: 'atomic' },
  },
  V1NamespaceStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1NetworkPolicy: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1NetworkPolicyEgressRule: {
    ports: { listType: 'atomic' },
    to: { listType: 'atomic' },
  },
  V1NetworkPolicyIngressRule: {
    ports: { listType: 'atomic' },
    from: { listType: 'atomic' },
  },
  V1NetworkPolicySpec: {
    ingress: { listType: 'atomic' },
    egress: { listType: 'atomic' },
    policyTypes: { listType: 'atomic' },
    podSelector: { alwaysPresent: true },
  },
  V1Node: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1NodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  V1NodeDaemonEndpoints: {
    kubeletEndpoint: { alwaysPresent: true },
  },
  V1NodeSelector: {
    nodeSelectorTerms: { listType: 'atomic', alwaysPresent: true },
  },
  V1NodeSelectorRequirement: {
    values: { listType: 'atomic' },
  },
  V1NodeSelectorTerm: {
    matchExpressions: { listType: 'atomic' },
    matchFields: { listType: 'atomic' },
  },
  V1NodeSpec: {
    podCIDRs: { patchStrategy: 'merge', listType: 'set' },
    taints: { listType: 'atomic' },
  },
  V1NodeStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    addresses: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    images: { listType: 'atomic' },
    volumesInUse: { listType: 'atomic' },
    volumesAttached: { listType: 'atomic' },
    runtimeHandlers: { listType: 'atomic' },
    daemonEndpoints: { alwaysPresent: true },
    nodeInfo: { alwaysPresent: true },
  },
  V1NonResourceRule: {
    verbs: { listType: 'atomic', alwaysPresent: true },
    nonResourceURLs: { listType: 'atomic' },
  },
  V1ObjectMeta: {
    ownerReferences: { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    managedFields: { listType: 'atomic' },
  },
  V1PersistentVolume: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1PersistentVolumeClaim: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1PersistentVolumeClaimSpec: {
    accessModes: { listType: 'atomic' },
    resources: { alwaysPresent: true },
  },
  V1PersistentVolumeClaimStatus: {
    accessModes: { listType: 'atomic' },
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    allocatedResourceStatuses: { mapType: 'granular' },
  },
  V1PersistentVolumeClaimTemplate: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1PersistentVolumeSpec: {
    accessModes: { listType: 'atomic' },
    claimRef: { mapType: 'granular' },
    mountOptions: { listType: 'atomic' },
  },
  V1Pod: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1PodAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  V1PodAffinityTerm: {
    namespaces: { listType: 'atomic' },
    matchLabelKeys: { listType: 'atomic' },
    mismatchLabelKeys: { listType: 'atomic' },
  },
  V1PodAntiAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
    preferredDuringSchedulingIgnoredDuringExecution: { listType: 'atomic' },
  },
  V1PodDNSConfig: {
    nameservers: { listType: 'atomic' },
    searches: { listType: 'atomic' },
    options: { listType: 'atomic' },
  },
  V1PodDisruptionBudget: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1PodDisruptionBudgetSpec: {
    selector: { patchStrategy: 'replace' },
  },
  V1PodDisruptionBudgetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1PodFailurePolicy: {
    rules: { listType: 'atomic', alwaysPresent: true },
  },
  V1PodFailurePolicyOnExitCodesRequirement: {
    values: { listType: 'set', alwaysPresent: true },
  },
  V1PodFailurePolicyRule: {
    onPodConditions: { listType: 'atomic' },
  },
  V1PodSecurityContext: {
    supplementalGroups: { listType: 'atomic' },
    sysctls: { listType: 'atomic' },
  },
  V1PodSpec: {
    volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    initContainers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    containers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'], alwaysPresent: true },
    ephemeralContainers: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    nodeSelector: { mapType: 'atomic' },
    imagePullSecrets: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    tolerations: { listType: 'atomic' },
    hostAliases: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    readinessGates: { listType: 'atomic' },
    topologySpreadConstraints: { patchStrategy: 'merge', patchMergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    schedulingGates: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    resourceClaims: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  V1PodStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    podIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'map', listMapKeys: ['ip'] },
    initContainerStatuses: { listType: 'atomic' },
    containerStatuses: { listType: 'atomic' },
    ephemeralContainerStatuses: { listType: 'atomic' },
    resourceClaimStatuses: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  V1PodTemplate: {
    metadata: { alwaysPresent: true },
    template: { alwaysPresent: true },
  },
  V1PodTemplateSpec: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
  },
  V1PolicyRule: {
    verbs: { listType: 'atomic', alwaysPresent: true },
    apiGroups: { listType: 'atomic' },
    resources: { listType: 'atomic' },
    resourceNames: { listType: 'atomic' },
    nonResourceURLs: { listType: 'atomic' },
  },
  V1PreferredSchedulingTerm: {
    preference: { alwaysPresent: true },
  },
  V1PriorityClass: {
    metadata: { alwaysPresent: true },
  },
  V1ProjectedVolumeSource: {
    sources: { listType: 'atomic', alwaysPresent: true },
  },
  V1RBDPersistentVolumeSource: {
    monitors: { listType: 'atomic', alwaysPresent: true },
  },
  V1RBDVolumeSource: {
    monitors: { listType: 'atomic', alwaysPresent: true },
  },
  V1ReplicaSet: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1ReplicaSetSpec: {
    selector: { alwaysPresent: true },
    template: { alwaysPresent: true },
  },
  V1ReplicaSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1ReplicationController: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1ReplicationControllerSpec: {
    selector: { mapType: 'atomic' },
  },
  V1ReplicationControllerStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1ResourceQuota: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1ResourceQuotaSpec: {
    scopes: { listType: 'atomic' },
  },
  V1ResourceRequirements: {
    claims: { listType: 'map', listMapKeys: ['name'] },
  },
  V1ResourceRule: {
    verbs: { listType: 'atomic', alwaysPresent: true },
    apiGroups: { listType: 'atomic' },
    resources: { listType: 'atomic' },
    resourceNames: { listType: 'atomic' },
  },
  V1ResourceStatus: {
    resources: { listType: 'map', listMapKeys: ['resourceID'] },
  },
  V1Role: {
    rules: { listType: 'atomic', alwaysPresent: true },
    metadata: { alwaysPresent: true },
  },
  V1RoleBinding: {
    subjects: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
    roleRef: { alwaysPresent: true },
  },
  V1Scale: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1ScaleIOPersistentVolumeSource: {
    secretRef: { alwaysPresent: true },
  },
  V1ScaleIOVolumeSource: {
    secretRef: { alwaysPresent: true },
  },
  V1ScopeSelector: {
    matchExpressions: { listType: 'atomic' },
  },
  V1ScopedResourceSelectorRequirement: {
    values: { listType: 'atomic' },
  },
  V1Secret: {
    metadata: { alwaysPresent: true },
  },
  V1SecretProjection: {
    items: { listType: 'atomic' },
  },
  V1SecretVolumeSource: {
    items: { listType: 'atomic' },
  },
  V1SelfSubjectAccessReview: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1SelfSubjectRulesReview: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1Service: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1ServiceAccount: {
    secrets: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    imagePullSecrets: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
  },
  V1ServiceSpec: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], listMapKeyDefaults: { protocol: 'TCP' } },
    selector: { mapType: 'atomic' },
    clusterIPs: { listType: 'atomic' },
    externalIPs: { listType: 'atomic' },
    loadBalancerSourceRanges: { listType: 'atomic' },
    ipFamilies: { listType: 'atomic' },
  },
  V1ServiceStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    loadBalancer: { alwaysPresent: true },
  },
  V1StatefulSet: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1StatefulSetSpec: {
    volumeClaimTemplates: { listType: 'atomic' },
    selector: { alwaysPresent: true },
    template: { alwaysPresent: true },
    updateStrategy: { alwaysPresent: true },
  },
  V1StatefulSetStatus: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V1Status: {
    details: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
  },
  V1StatusDetails: {
    causes: { listType: 'atomic' },
  },
  V1StorageClass: {
    mountOptions: { listType: 'atomic' },
    allowedTopologies: { listType: 'atomic' },
    metadata: { alwaysPresent: true },
  },
  V1SubjectAccessReview: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1SubjectAccessReviewSpec: {
    groups: { listType: 'atomic' },
  },
  V1SubjectRulesReviewStatus: {
    resourceRules: { listType: 'atomic', alwaysPresent: true },
    nonResourceRules: { listType: 'atomic', alwaysPresent: true },
  },
  V1SuccessPolicy: {
    rules: { listType: 'atomic', alwaysPresent: true },
  },
  V1TokenReview: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1TokenReviewSpec: {
    audiences: { listType: 'atomic' },
  },
  V1TokenReviewStatus: {
    audiences: { listType: 'atomic' },
    user: { alwaysPresent: true },
  },
  V1TopologySelectorLabelRequirement: {
    values: { listType: 'atomic', alwaysPresent: true },
  },
  V1TopologySelectorTerm: {
    matchLabelExpressions: { listType: 'atomic' },
  },
  V1TopologySpreadConstraint: {
    matchLabelKeys: { listType: 'atomic' },
  },
  V1UncountedTerminatedPods: {
    succeeded: { listType: 'set' },
    failed: { listType: 'set' },
  },
  V1UserInfo: {
    groups: { listType: 'atomic' },
  },
  V1VolumeAttachment: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V1VolumeAttachmentSpec: {
    source: { alwaysPresent: true },
  },
  V1WebhookConversion: {
    conversionReviewVersions: { listType: 'atomic', alwaysPresent: true },
  },
  V1WeightedPodAffinityTerm: {
    podAffinityTerm: { alwaysPresent: true },
  },
  V2ContainerResourceMetricSource: {
    target: { alwaysPresent: true },
  },
  V2ContainerResourceMetricStatus: {
    current: { alwaysPresent: true },
  },
  V2ExternalMetricSource: {
    metric: { alwaysPresent: true },
    target: { alwaysPresent: true },
  },
  V2ExternalMetricStatus: {
    metric: { alwaysPresent: true },
    current: { alwaysPresent: true },
  },
  V2HPAScalingRules: {
    policies: { listType: 'atomic' },
  },
  V2HorizontalPodAutoscaler: {
    metadata: { alwaysPresent: true },
    spec: { alwaysPresent: true },
    status: { alwaysPresent: true },
  },
  V2HorizontalPodAutoscalerSpec: {
    metrics: { listType: 'atomic' },
    scaleTargetRef: { alwaysPresent: true },
  },
  V2HorizontalPodAutoscalerStatus: {
    currentMetrics: { listType: 'atomic', alwaysPresent: true },
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  V2ObjectMetricSource: {
    describedObject: { alwaysPresent: true },
    target: { alwaysPresent: true },
    metric: { alwaysPresent: true },
  },
  V2ObjectMetricStatus: {
    metric: { alwaysPresent: true },
    current: { alwaysPresent: true },
    describedObject: { alwaysPresent: true },
  },
  V2PodsMetricSource: {
    metric: { alwaysPresent: true },
    target: { alwaysPresent: true },
  },
  V2PodsMetricStatus: {
    metric: { alwaysPresent: true },
    current: { alwaysPresent: true },
  },
  V2ResourceMetricSource: {
    target: { alwaysPresent: true },
  },
  V2ResourceMetricStatus: {
    current: { alwaysPresent: true },
  },
};

/**
 * Models whose Go type is marked +structType=atomic: a value of one is owned and replaced
 * whole by server-side apply (a label selector, an object reference, a node selector term).
 */
const atomicStructs = new Set([
  'CoreV1EndpointPort',
  'DiscoveryV1EndpointPort',
  'RbacV1Subject',
  'V1ConfigMapKeySelector',
  'V1CrossVersionObjectReference',
  'V1EndpointAddress',
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1ObjectFieldSelector',
  'V1ObjectReference',
  'V1OwnerReference',
  'V1ResourceFieldSelector',
  'V1RoleRef',
  'V1ScopeSelector',
  'V1SecretKeySelector',
  'V1SecretReference',
  'V1ServiceBackendPort',
  'V1TopologySelectorTerm',
  'V1TypedLocalObjectReference',
]);

/** Patch facts of `field` of `model` (e.g. 'V1PodSpec', 'containers'); {} when none apply. */
export function patchMeta(model: string, field: string): PatchMeta {
  return table[model]?.[field] ?? {};
}

/** Whether values of `model` are atomic for server-side apply (+structType=atomic upstream). */
export function isAtomicStruct(model: string): boolean {
  return atomicStructs.has(model);
}

export interface ListSemantics {
  listType: 'atomic' | 'set' | 'map';
  keys: string[];
  keyDefaults: Record<string, string>;
}

/**
 * How server-side apply treats a list field. Without a listType upstream's OpenAPI-to-schema
 * conversion falls back on the strategic-merge facts: patchStrategy merge makes the list a map
 * keyed by patchMergeKey (a set when there is no key); anything else is atomic.
 */
export function listSemantics(model: string, field: string): ListSemantics {
  const m = patchMeta(model, field);
  const keyDefaults = m.listMapKeyDefaults ?? {};
  if (m.listType === 'map') return { listType: 'map', keys: m.listMapKeys ?? [], keyDefaults };
  if (m.listType) return { listType: m.listType, keys: [], keyDefaults };
  if (m.patchStrategy?.split(',').includes('merge')) {
    return m.patchMergeKey ? { listType: 'map', keys: [m.patchMergeKey], keyDefaults } : { listType: 'set', keys: [], keyDefaults };
  }
  return { listType: 'atomic', keys: [], keyDefaults };
}

