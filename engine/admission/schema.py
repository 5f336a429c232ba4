"""Decoding like the apiserver's JSON decoder: field types, and unknown fields in strict mode.

The table below is data: for every Go struct reachable from a served kind (k8s.io/api core/v1,
apps/v1, discovery.k8s.io/v1, coordination.k8s.io/v1 and apimachinery meta/v1, at v1.32), its
`json:` tag names. Leaves are written `name` (a Go string) or `name:<go type>`; typed children
map a field to "X" (a nested struct), "[]X" (a list of X) or "{}X" (a map of X). Inline
embeddings (TypeMeta, VolumeSource, ProbeHandler, ...) are already flattened. Every package of
the served types is named `v1`, so Go prints named types as `v1.<Name>`.

`scan(obj)` walks an object in document order like sigs.k8s.io/json and returns
`(decode_error, unknown_fields)`:

* decode_error: the first type mismatch, worded as Go does
  (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
  int32`), or a bad quantity (`quantities must match the regular expression ...`); None if fine;
* unknown_fields: paths as the strict decoder reports them (`spec.replica`,
  `spec.template.spec.containers[0].imagee`); upstream reports these only if decoding succeeded.
"""
from __future__ import annotations

from .. import quantity as Q

# type name -> (leaf fields, {field: child type})
TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "Namespace": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "NamespaceSpec", "status": "NamespaceStatus"}),
    "Node": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "NodeSpec", "status": "NodeStatus"}),
    "Pod": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "PodSpec", "status": "PodStatus"}),
    "Service": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "ServiceSpec", "status": "ServiceStatus"}),
    "Endpoints": ("kind apiVersion",
        {"metadata": "ObjectMeta", "subsets": "[]EndpointSubset"}),
    "ConfigMap": ("kind apiVersion immutable:bool data:map[string]string binaryData:map[string][]byte",
        {"metadata": "ObjectMeta"}),
    "Event": (
        "kind apiVersion reason message firstTimestamp:v1.Time lastTimestamp:v1.Time "
        "count:int32 type eventTime:v1.MicroTime action reportingComponent reportingInstance",
        {"metadata": "ObjectMeta", "involvedObject": "ObjectReference", "source": "EventSource",
         "series": "EventSeries", "related": "ObjectReference"}),
    "Deployment": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "DeploymentSpec", "status": "DeploymentStatus"}),
    "ReplicaSet": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "ReplicaSetSpec", "status": "ReplicaSetStatus"}),
    "StatefulSet": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "StatefulSetSpec", "status": "StatefulSetStatus"}),
    "DaemonSet": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "DaemonSetSpec", "status": "DaemonSetStatus"}),
    "ControllerRevision": ("kind apiVersion data:runtime.RawExtension revision:int64",
        {"metadata": "ObjectMeta"}),
    "EndpointSlice": ("kind apiVersion addressType:v1.AddressType",
        {"metadata": "ObjectMeta", "endpoints": "[]Endpoint", "ports": "[]discovery.EndpointPort"}),
    "Lease": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "LeaseSpec"}),
    "AWSElasticBlockStoreVolumeSource": ("volumeID fsType partition:int32 readOnly:bool", {}),
    "Affinity": ("",
        {"nodeAffinity": "NodeAffinity", "podAffinity": "PodAffinity",
         "podAntiAffinity": "PodAntiAffinity"}),
    "AppArmorProfile": ("type:v1.AppArmorProfileType localhostProfile", {}),
    "AttachedVolume": ("name:v1.UniqueVolumeName devicePath", {}),
    "AzureDiskVolumeSource": (
        "diskName diskURI cachingMode:v1.AzureDataDiskCachingMode fsType readOnly:bool "
        "kind:v1.AzureDataDiskKind",
        {}),
    "AzureFileVolumeSource": ("secretName shareName readOnly:bool", {}),
    "CSIVolumeSource": ("driver readOnly:bool fsType volumeAttributes:map[string]string",
        {"nodePublishSecretRef": "LocalObjectReference"}),
    "Capabilities": ("add:[]v1.Capability drop:[]v1.Capability", {}),
    "CephFSVolumeSource": ("monitors:[]string path user secretFile readOnly:bool",
        {"secretRef": "LocalObjectReference"}),
    "CinderVolumeSource": ("volumeID fsType readOnly:bool",
        {"secretRef": "LocalObjectReference"}),
    "ClientIPConfig": ("timeoutSeconds:int32", {}),
    "ClusterTrustBundleProjection": ("name signerName optional:bool path",
        {"labelSelector": "LabelSelector"}),
    "Condition": (
        "type status:v1.ConditionStatus observedGeneration:int64 lastTransitionTime:v1.Time "
        "reason message",
        {}),
    "ConfigMapEnvSource": ("name optional:bool", {}),
    "ConfigMapKeySelector": ("name key optional:bool", {}),
    "ConfigMapNodeConfigSource": ("namespace name uid:types.UID resourceVersion kubeletConfigKey", {}),
    "ConfigMapProjection": ("name optional:bool",
        {"items": "[]KeyToPath"}),
    "ConfigMapVolumeSource": ("name defaultMode:int32 optional:bool",
        {"items": "[]KeyToPath"}),
    "Container": (
        "name image command:[]string args:[]string workingDir "
        "restartPolicy:v1.ContainerRestartPolicy terminationMessagePath "
        "terminationMessagePolicy:v1.TerminationMessagePolicy imagePullPolicy:v1.PullPolicy "
        "stdin:bool stdinOnce:bool tty:bool",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "ContainerImage": ("names:[]string sizeBytes:int64", {}),
    "ContainerPort": ("name hostPort:int32 containerPort:int32 protocol:v1.Protocol hostIP", {}),
    "ContainerResizePolicy": ("resourceName:v1.ResourceName restartPolicy:v1.ResourceResizeRestartPolicy", {}),
    "ContainerState": ("",
        {"waiting": "ContainerStateWaiting", "running": "ContainerStateRunning",
         "terminated": "ContainerStateTerminated"}),
    "ContainerStateRunning": ("startedAt:v1.Time", {}),
    "ContainerStateTerminated": (
        "exitCode:int32 signal:int32 reason message startedAt:v1.Time finishedAt:v1.Time "
        "containerID",
        {}),
    "ContainerStateWaiting": ("reason message", {}),
    "ContainerStatus": (
        "name ready:bool restartCount:int32 image imageID containerID started:bool "
        "allocatedResources:v1.ResourceList",
        {"state": "ContainerState", "lastState": "ContainerState",
         "resources": "ResourceRequirements", "volumeMounts": "[]VolumeMountStatus",
         "user": "ContainerUser", "allocatedResourcesStatus": "[]ResourceStatus"}),
    "ContainerUser": ("",
        {"linux": "LinuxContainerUser"}),
    "DaemonEndpoint": ("Port:int32", {}),
    "DaemonSetCondition": (
        "type:v1.DaemonSetConditionType status:v1.ConditionStatus lastTransitionTime:v1.Time "
        "reason message",
        {}),
    "DaemonSetSpec": ("minReadySeconds:int32 revisionHistoryLimit:int32",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "updateStrategy": "DaemonSetUpdateStrategy"}),
    "DaemonSetStatus": (
        "currentNumberScheduled:int32 numberMisscheduled:int32 desiredNumberScheduled:int32 "
        "numberReady:int32 observedGeneration:int64 updatedNumberScheduled:int32 "
        "numberAvailable:int32 numberUnavailable:int32 collisionCount:int32",
        {"conditions": "[]DaemonSetCondition"}),
    "DaemonSetUpdateStrategy": ("type:v1.DaemonSetUpdateStrategyType",
        {"rollingUpdate": "RollingUpdateDaemonSet"}),
    "DeploymentCondition": (
        "type:v1.DeploymentConditionType status:v1.ConditionStatus lastUpdateTime:v1.Time "
        "lastTransitionTime:v1.Time reason message",
        {}),
    "DeploymentSpec": (
        "replicas:int32 minReadySeconds:int32 revisionHistoryLimit:int32 paused:bool "
        "progressDeadlineSeconds:int32",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "strategy": "DeploymentStrategy"}),
    "DeploymentStatus": (
        "observedGeneration:int64 replicas:int32 updatedReplicas:int32 readyReplicas:int32 "
        "availableReplicas:int32 unavailableReplicas:int32 terminatingReplicas:int32 collisionCount:int32",
        {"conditions": "[]DeploymentCondition"}),
    "DeploymentStrategy": ("type:v1.DeploymentStrategyType",
        {"rollingUpdate": "RollingUpdateDeployment"}),
    "DownwardAPIProjection": ("",
        {"items": "[]DownwardAPIVolumeFile"}),
    "DownwardAPIVolumeFile": ("path mode:int32",
        {"fieldRef": "ObjectFieldSelector", "resourceFieldRef": "ResourceFieldSelector"}),
    "DownwardAPIVolumeSource": ("defaultMode:int32",
        {"items": "[]DownwardAPIVolumeFile"}),
    "EmptyDirVolumeSource": ("medium:v1.StorageMedium sizeLimit:resource.Quantity", {}),
    "Endpoint": ("addresses:[]string hostname deprecatedTopology:map[string]string nodeName zone",
        {"conditions": "EndpointConditions", "targetRef": "ObjectReference",
         "hints": "EndpointHints"}),
    "EndpointAddress": ("ip hostname nodeName",
        {"targetRef": "ObjectReference"}),
    "EndpointConditions": ("ready:bool serving:bool terminating:bool", {}),
    "EndpointHints": ("",
        {"forZones": "[]ForZone"}),
    "EndpointPort": ("name port:int32 protocol:v1.Protocol appProtocol", {}),
    "EndpointSubset": ("",
        {"addresses": "[]EndpointAddress", "notReadyAddresses": "[]EndpointAddress",
         "ports": "[]EndpointPort"}),
    "EnvFromSource": ("prefix",
        {"configMapRef": "ConfigMapEnvSource", "secretRef": "SecretEnvSource"}),
    "EnvVar": ("name value",
        {"valueFrom": "EnvVarSource"}),
    "EnvVarSource": ("",
        {"fieldRef": "ObjectFieldSelector", "resourceFieldRef": "ResourceFieldSelector",
         "configMapKeyRef": "ConfigMapKeySelector", "secretKeyRef": "SecretKeySelector"}),
    "EphemeralContainer": (
        "name image command:[]string args:[]string workingDir "
        "restartPolicy:v1.ContainerRestartPolicy terminationMessagePath "
        "terminationMessagePolicy:v1.TerminationMessagePolicy imagePullPolicy:v1.PullPolicy "
        "stdin:bool stdinOnce:bool tty:bool targetContainerName",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "EphemeralContainerCommon": (
        "name image command:[]string args:[]string workingDir "
        "restartPolicy:v1.ContainerRestartPolicy terminationMessagePath "
        "terminationMessagePolicy:v1.TerminationMessagePolicy imagePullPolicy:v1.PullPolicy "
        "stdin:bool stdinOnce:bool tty:bool",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "EphemeralVolumeSource": ("",
        {"volumeClaimTemplate": "PersistentVolumeClaimTemplate"}),
    "EventSeries": ("count:int32 lastObservedTime:v1.MicroTime", {}),
    "EventSource": ("component host", {}),
    "ExecAction": ("command:[]string", {}),
    "FCVolumeSource": ("targetWWNs:[]string lun:int32 fsType readOnly:bool wwids:[]string", {}),
    "FlexVolumeSource": ("driver fsType readOnly:bool options:map[string]string",
        {"secretRef": "LocalObjectReference"}),
    "FlockerVolumeSource": ("datasetName datasetUUID", {}),
    "ForZone": ("name", {}),
    "GCEPersistentDiskVolumeSource": ("pdName fsType partition:int32 readOnly:bool", {}),
    "GRPCAction": ("port:int32 service", {}),
    "GitRepoVolumeSource": ("repository revision directory", {}),
    "GlusterfsVolumeSource": ("endpoints path readOnly:bool", {}),
    "HTTPGetAction": ("path port:intstr.IntOrString host scheme:v1.URIScheme",
        {"httpHeaders": "[]HTTPHeader"}),
    "HTTPHeader": ("name value", {}),
    "HostAlias": ("ip hostnames:[]string", {}),
    "HostIP": ("ip", {}),
    "HostPathVolumeSource": ("path type:v1.HostPathType", {}),
    "ISCSIVolumeSource": (
        "targetPortal iqn lun:int32 iscsiInterface fsType readOnly:bool portals:[]string "
        "chapAuthDiscovery:bool chapAuthSession:bool initiatorName",
        {"secretRef": "LocalObjectReference"}),
    "ImageVolumeSource": ("reference pullPolicy:v1.PullPolicy", {}),
    "KeyToPath": ("key path mode:int32", {}),
    "LabelSelector": ("matchLabels:map[string]string",
        {"matchExpressions": "[]LabelSelectorRequirement"}),
    "LabelSelectorRequirement": ("key operator:v1.LabelSelectorOperator values:[]string", {}),
    "LeaseSpec": (
        "holderIdentity leaseDurationSeconds:int32 acquireTime:v1.MicroTime "
        "renewTime:v1.MicroTime leaseTransitions:int32 strategy:v1.CoordinatedLeaseStrategy "
        "preferredHolder",
        {}),
    "Lifecycle": ("",
        {"postStart": "LifecycleHandler", "preStop": "LifecycleHandler"}),
    "LifecycleHandler": ("",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "sleep": "SleepAction"}),
    "LinuxContainerUser": ("uid:int64 gid:int64 supplementalGroups:[]int64", {}),
    "LoadBalancerIngress": ("ip hostname ipMode:v1.LoadBalancerIPMode",
        {"ports": "[]PortStatus"}),
    "LoadBalancerStatus": ("",
        {"ingress": "[]LoadBalancerIngress"}),
    "LocalObjectReference": ("name", {}),
    "ManagedFieldsEntry": (
        "manager operation:v1.ManagedFieldsOperationType apiVersion time:v1.Time fieldsType "
        "fieldsV1:v1.FieldsV1 subresource",
        {}),
    "ModifyVolumeStatus": ("targetVolumeAttributesClassName status:v1.PersistentVolumeClaimModifyVolumeStatus", {}),
    "NFSVolumeSource": ("server path readOnly:bool", {}),
    "NamespaceCondition": (
        "type:v1.NamespaceConditionType status:v1.ConditionStatus lastTransitionTime:v1.Time "
        "reason message",
        {}),
    "NamespaceSpec": ("finalizers:[]v1.FinalizerName", {}),
    "NamespaceStatus": ("phase:v1.NamespacePhase",
        {"conditions": "[]NamespaceCondition"}),
    "NodeAddress": ("type:v1.NodeAddressType address", {}),
    "NodeAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "NodeSelector",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]PreferredSchedulingTerm"}),
    "NodeCondition": (
        "type:v1.NodeConditionType status:v1.ConditionStatus lastHeartbeatTime:v1.Time "
        "lastTransitionTime:v1.Time reason message",
        {}),
    "NodeConfigSource": ("",
        {"configMap": "ConfigMapNodeConfigSource"}),
    "NodeConfigStatus": ("error",
        {"assigned": "NodeConfigSource", "active": "NodeConfigSource",
         "lastKnownGood": "NodeConfigSource"}),
    "NodeDaemonEndpoints": ("",
        {"kubeletEndpoint": "DaemonEndpoint"}),
    "NodeFeatures": ("supplementalGroupsPolicy:bool", {}),
    "NodeRuntimeHandler": ("name",
        {"features": "NodeRuntimeHandlerFeatures"}),
    "NodeRuntimeHandlerFeatures": ("recursiveReadOnlyMounts:bool userNamespaces:bool", {}),
    "NodeSelector": ("",
        {"nodeSelectorTerms": "[]NodeSelectorTerm"}),
    "NodeSelectorRequirement": ("key operator:v1.NodeSelectorOperator values:[]string", {}),
    "NodeSelectorTerm": ("",
        {"matchExpressions": "[]NodeSelectorRequirement",
         "matchFields": "[]NodeSelectorRequirement"}),
    "NodeSpec": ("podCIDR podCIDRs:[]string providerID unschedulable:bool externalID",
        {"taints": "[]Taint", "configSource": "NodeConfigSource"}),
    "NodeStatus": (
        "capacity:v1.ResourceList allocatable:v1.ResourceList phase:v1.NodePhase "
        "volumesInUse:[]v1.UniqueVolumeName",
        {"conditions": "[]NodeCondition", "addresses": "[]NodeAddress",
         "daemonEndpoints": "NodeDaemonEndpoints", "nodeInfo": "NodeSystemInfo",
         "images": "[]ContainerImage", "volumesAttached": "[]AttachedVolume",
         "config": "NodeConfigStatus", "runtimeHandlers": "[]NodeRuntimeHandler",
         "features": "NodeFeatures"}),
    "NodeSystemInfo": (
        "machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion "
        "kubeletVersion kubeProxyVersion operatingSystem architecture",
        {}),
    "ObjectFieldSelector": ("apiVersion fieldPath", {}),
    "ObjectMeta": (
        "name generateName namespace selfLink uid:types.UID resourceVersion generation:int64 "
        "creationTimestamp:v1.Time deletionTimestamp:v1.Time deletionGracePeriodSeconds:int64 "
        "labels:map[string]string annotations:map[string]string finalizers:[]string",
        {"ownerReferences": "[]OwnerReference", "managedFields": "[]ManagedFieldsEntry"}),
    "ObjectReference": ("kind namespace name uid:types.UID apiVersion resourceVersion fieldPath", {}),
    "OwnerReference": ("apiVersion kind name uid:types.UID controller:bool blockOwnerDeletion:bool", {}),
    "PersistentVolumeClaim": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "PersistentVolumeClaimSpec",
         "status": "PersistentVolumeClaimStatus"}),
    "PersistentVolumeClaimCondition": (
        "type:v1.PersistentVolumeClaimConditionType status:v1.ConditionStatus "
        "lastProbeTime:v1.Time lastTransitionTime:v1.Time reason message",
        {}),
    "PersistentVolumeClaimSpec": (
        "accessModes:[]v1.PersistentVolumeAccessMode volumeName storageClassName "
        "volumeMode:v1.PersistentVolumeMode volumeAttributesClassName",
        {"selector": "LabelSelector", "resources": "VolumeResourceRequirements",
         "dataSource": "TypedLocalObjectReference", "dataSourceRef": "TypedObjectReference"}),
    "PersistentVolumeClaimStatus": (
        "phase:v1.PersistentVolumeClaimPhase accessModes:[]v1.PersistentVolumeAccessMode "
        "capacity:v1.ResourceList allocatedResources:v1.ResourceList "
        "allocatedResourceStatuses:map[v1.ResourceName]v1.ClaimResourceStatus "
        "currentVolumeAttributesClassName",
        {"conditions": "[]PersistentVolumeClaimCondition",
         "modifyVolumeStatus": "ModifyVolumeStatus"}),
    "PersistentVolumeClaimTemplate": ("",
        {"metadata": "ObjectMeta", "spec": "PersistentVolumeClaimSpec"}),
    "PersistentVolumeClaimVolumeSource": ("claimName readOnly:bool", {}),
    "PhotonPersistentDiskVolumeSource": ("pdID fsType", {}),
    "PodAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "[]PodAffinityTerm",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]WeightedPodAffinityTerm"}),
    "PodAffinityTerm": ("namespaces:[]string topologyKey matchLabelKeys:[]string mismatchLabelKeys:[]string",
        {"labelSelector": "LabelSelector", "namespaceSelector": "LabelSelector"}),
    "PodAntiAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "[]PodAffinityTerm",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]WeightedPodAffinityTerm"}),
    "PodCondition": (
        "type:v1.PodConditionType status:v1.ConditionStatus lastProbeTime:v1.Time "
        "lastTransitionTime:v1.Time reason message",
        {}),
    "PodDNSConfig": ("nameservers:[]string searches:[]string",
        {"options": "[]PodDNSConfigOption"}),
    "PodDNSConfigOption": ("name value", {}),
    "PodIP": ("ip", {}),
    "PodOS": ("name:v1.OSName", {}),
    "PodReadinessGate": ("conditionType:v1.PodConditionType", {}),
    "PodResourceClaim": ("name resourceClaimName resourceClaimTemplateName", {}),
    "PodResourceClaimStatus": ("name resourceClaimName", {}),
    "PodSchedulingGate": ("name", {}),
    "PodSecurityContext": (
        "runAsUser:int64 runAsGroup:int64 runAsNonRoot:bool supplementalGroups:[]int64 "
        "supplementalGroupsPolicy:v1.SupplementalGroupsPolicy fsGroup:int64 "
        "fsGroupChangePolicy:v1.PodFSGroupChangePolicy "
        "seLinuxChangePolicy:v1.PodSELinuxChangePolicy",
        {"seLinuxOptions": "SELinuxOptions", "windowsOptions": "WindowsSecurityContextOptions",
         "sysctls": "[]Sysctl", "seccompProfile": "SeccompProfile",
         "appArmorProfile": "AppArmorProfile"}),
    "PodSpec": (
        "restartPolicy:v1.RestartPolicy terminationGracePeriodSeconds:int64 "
        "activeDeadlineSeconds:int64 dnsPolicy:v1.DNSPolicy nodeSelector:map[string]string "
        "serviceAccountName serviceAccount automountServiceAccountToken:bool nodeName "
        "hostNetwork:bool hostPID:bool hostIPC:bool shareProcessNamespace:bool hostname "
        "subdomain schedulerName priorityClassName priority:int32 runtimeClassName "
        "enableServiceLinks:bool preemptionPolicy:v1.PreemptionPolicy overhead:v1.ResourceList "
        "setHostnameAsFQDN:bool hostUsers:bool",
        {"volumes": "[]Volume", "initContainers": "[]Container", "containers": "[]Container",
         "ephemeralContainers": "[]EphemeralContainer", "securityContext": "PodSecurityContext",
         "imagePullSecrets": "[]LocalObjectReference", "affinity": "Affinity",
         "tolerations": "[]Toleration", "hostAliases": "[]HostAlias", "dnsConfig": "PodDNSConfig",
         "readinessGates": "[]PodReadinessGate",
         "topologySpreadConstraints": "[]TopologySpreadConstraint", "os": "PodOS",
         "schedulingGates": "[]PodSchedulingGate", "resourceClaims": "[]PodResourceClaim",
         "resources": "ResourceRequirements"}),
    "PodStatus": (
        "phase:v1.PodPhase message reason nominatedNodeName hostIP podIP startTime:v1.Time "
        "qosClass:v1.PodQOSClass resize:v1.PodResizeStatus",
        {"conditions": "[]PodCondition", "hostIPs": "[]HostIP", "podIPs": "[]PodIP",
         "initContainerStatuses": "[]ContainerStatus", "containerStatuses": "[]ContainerStatus",
         "ephemeralContainerStatuses": "[]ContainerStatus",
         "resourceClaimStatuses": "[]PodResourceClaimStatus"}),
    "PodTemplateSpec": ("",
        {"metadata": "ObjectMeta", "spec": "PodSpec"}),
    "PortStatus": ("port:int32 protocol:v1.Protocol error", {}),
    "PortworxVolumeSource": ("volumeID fsType readOnly:bool", {}),
    "PreferredSchedulingTerm": ("weight:int32",
        {"preference": "NodeSelectorTerm"}),
    "Probe": (
        "initialDelaySeconds:int32 timeoutSeconds:int32 periodSeconds:int32 "
        "successThreshold:int32 failureThreshold:int32 terminationGracePeriodSeconds:int64",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "grpc": "GRPCAction"}),
    "ProbeHandler": ("",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "grpc": "GRPCAction"}),
    "ProjectedVolumeSource": ("defaultMode:int32",
        {"sources": "[]VolumeProjection"}),
    "QuobyteVolumeSource": ("registry volume readOnly:bool user group tenant", {}),
    "RBDVolumeSource": ("monitors:[]string image fsType pool user keyring readOnly:bool",
        {"secretRef": "LocalObjectReference"}),
    "ReplicaSetCondition": (
        "type:v1.ReplicaSetConditionType status:v1.ConditionStatus lastTransitionTime:v1.Time "
        "reason message",
        {}),
    "ReplicaSetSpec": ("replicas:int32 minReadySeconds:int32",
        {"selector": "LabelSelector", "template": "PodTemplateSpec"}),
    "ReplicaSetStatus": (
        "replicas:int32 fullyLabeledReplicas:int32 readyReplicas:int32 availableReplicas:int32 "
        "terminatingReplicas:int32 observedGeneration:int64",
        {"conditions": "[]ReplicaSetCondition"}),
    "ResourceClaim": ("name request", {}),
    "ResourceFieldSelector": ("containerName resource divisor:resource.Quantity", {}),
    "ResourceHealth": ("resourceID:v1.ResourceID health:v1.ResourceHealthStatus", {}),
    "ResourceRequirements": ("limits:v1.ResourceList requests:v1.ResourceList",
        {"claims": "[]ResourceClaim"}),
    "ResourceStatus": ("name:v1.ResourceName",
        {"resources": "[]ResourceHealth"}),
    "RollingUpdateDaemonSet": ("maxUnavailable:intstr.IntOrString maxSurge:intstr.IntOrString", {}),
    "RollingUpdateDeployment": ("maxUnavailable:intstr.IntOrString maxSurge:intstr.IntOrString", {}),
    "RollingUpdateStatefulSetStrategy": ("partition:int32 maxUnavailable:intstr.IntOrString", {}),
    "SELinuxOptions": ("user role type level", {}),
    "ScaleIOVolumeSource": (
        "gateway system sslEnabled:bool protectionDomain storagePool storageMode volumeName "
        "fsType readOnly:bool",
        {"secretRef": "LocalObjectReference"}),
    "SeccompProfile": ("type:v1.SeccompProfileType localhostProfile", {}),
    "SecretEnvSource": ("name optional:bool", {}),
    "SecretKeySelector": ("name key optional:bool", {}),
    "SecretProjection": ("name optional:bool",
        {"items": "[]KeyToPath"}),
    "SecretVolumeSource": ("secretName defaultMode:int32 optional:bool",
        {"items": "[]KeyToPath"}),
    "SecurityContext": (
        "privileged:bool runAsUser:int64 runAsGroup:int64 runAsNonRoot:bool "
        "readOnlyRootFilesystem:bool allowPrivilegeEscalation:bool procMount:v1.ProcMountType",
        {"capabilities": "Capabilities", "seLinuxOptions": "SELinuxOptions",
         "windowsOptions": "WindowsSecurityContextOptions", "seccompProfile": "SeccompProfile",
         "appArmorProfile": "AppArmorProfile"}),
    "ServiceAccountTokenProjection": ("audience expirationSeconds:int64 path", {}),
    "ServicePort": (
        "name protocol:v1.Protocol appProtocol port:int32 targetPort:intstr.IntOrString "
        "nodePort:int32",
        {}),
    "ServiceSpec": (
        "selector:map[string]string clusterIP clusterIPs:[]string type:v1.ServiceType "
        "externalIPs:[]string sessionAffinity:v1.ServiceAffinity loadBalancerIP "
        "loadBalancerSourceRanges:[]string externalName "
        "externalTrafficPolicy:v1.ServiceExternalTrafficPolicy healthCheckNodePort:int32 "
        "publishNotReadyAddresses:bool ipFamilies:[]v1.IPFamily "
        "ipFamilyPolicy:v1.IPFamilyPolicy allocateLoadBalancerNodePorts:bool loadBalancerClass "
        "internalTrafficPolicy:v1.ServiceInternalTrafficPolicy trafficDistribution",
        {"ports": "[]ServicePort", "sessionAffinityConfig": "SessionAffinityConfig"}),
    "ServiceStatus": ("",
        {"loadBalancer": "LoadBalancerStatus", "conditions": "[]Condition"}),
    "SessionAffinityConfig": ("",
        {"clientIP": "ClientIPConfig"}),
    "SleepAction": ("seconds:int64", {}),
    "StatefulSetCondition": (
        "type:v1.StatefulSetConditionType status:v1.ConditionStatus lastTransitionTime:v1.Time "
        "reason message",
        {}),
    "StatefulSetOrdinals": ("start:int32", {}),
    "StatefulSetPersistentVolumeClaimRetentionPolicy": (
        "whenDeleted:v1.PersistentVolumeClaimRetentionPolicyType "
        "whenScaled:v1.PersistentVolumeClaimRetentionPolicyType",
        {}),
    "StatefulSetSpec": (
        "replicas:int32 serviceName podManagementPolicy:v1.PodManagementPolicyType "
        "revisionHistoryLimit:int32 minReadySeconds:int32",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "volumeClaimTemplates": "[]PersistentVolumeClaim",
         "updateStrategy": "StatefulSetUpdateStrategy",
         "persistentVolumeClaimRetentionPolicy": "StatefulSetPersistentVolumeClaimRetentionPolicy",
         "ordinals": "StatefulSetOrdinals"}),
    "StatefulSetStatus": (
        "observedGeneration:int64 replicas:int32 readyReplicas:int32 currentReplicas:int32 "
        "updatedReplicas:int32 currentRevision updateRevision collisionCount:int32 "
        "availableReplicas:int32",
        {"conditions": "[]StatefulSetCondition"}),
    "StatefulSetUpdateStrategy": ("type:v1.StatefulSetUpdateStrategyType",
        {"rollingUpdate": "RollingUpdateStatefulSetStrategy"}),
    "StorageOSVolumeSource": ("volumeName volumeNamespace fsType readOnly:bool",
        {"secretRef": "LocalObjectReference"}),
    "Sysctl": ("name value", {}),
    "TCPSocketAction": ("port:intstr.IntOrString host", {}),
    "Taint": ("key value effect:v1.TaintEffect timeAdded:v1.Time", {}),
    "Toleration": (
        "key operator:v1.TolerationOperator value effect:v1.TaintEffect "
        "tolerationSeconds:int64",
        {}),
    "TopologySpreadConstraint": (
        "maxSkew:int32 topologyKey whenUnsatisfiable:v1.UnsatisfiableConstraintAction "
        "minDomains:int32 nodeAffinityPolicy:v1.NodeInclusionPolicy "
        "nodeTaintsPolicy:v1.NodeInclusionPolicy matchLabelKeys:[]string",
        {"labelSelector": "LabelSelector"}),
    "TypeMeta": ("kind apiVersion", {}),
    "TypedLocalObjectReference": ("apiGroup kind name", {}),
    "TypedObjectReference": ("apiGroup kind name namespace", {}),
    "Volume": ("name",
        {"hostPath": "HostPathVolumeSource", "emptyDir": "EmptyDirVolumeSource",
         "gcePersistentDisk": "GCEPersistentDiskVolumeSource",
         "awsElasticBlockStore": "AWSElasticBlockStoreVolumeSource",
         "gitRepo": "GitRepoVolumeSource", "secret": "SecretVolumeSource",
         "nfs": "NFSVolumeSource", "iscsi": "ISCSIVolumeSource",
         "glusterfs": "GlusterfsVolumeSource",
         "persistentVolumeClaim": "PersistentVolumeClaimVolumeSource", "rbd": "RBDVolumeSource",
         "flexVolume": "FlexVolumeSource", "cinder": "CinderVolumeSource",
         "cephfs": "CephFSVolumeSource", "flocker": "FlockerVolumeSource",
         "downwardAPI": "DownwardAPIVolumeSource", "fc": "FCVolumeSource",
         "azureFile": "AzureFileVolumeSource", "configMap": "ConfigMapVolumeSource",
         "vsphereVolume": "VsphereVirtualDiskVolumeSource", "quobyte": "QuobyteVolumeSource",
         "azureDisk": "AzureDiskVolumeSource",
         "photonPersistentDisk": "PhotonPersistentDiskVolumeSource",
         "projected": "ProjectedVolumeSource", "portworxVolume": "PortworxVolumeSource",
         "scaleIO": "ScaleIOVolumeSource", "storageos": "StorageOSVolumeSource",
         "csi": "CSIVolumeSource", "ephemeral": "EphemeralVolumeSource",
         "image": "ImageVolumeSource"}),
    "VolumeDevice": ("name devicePath", {}),
    "VolumeMount": (
        "name readOnly:bool recursiveReadOnly:v1.RecursiveReadOnlyMode mountPath subPath "
        "mountPropagation:v1.MountPropagationMode subPathExpr",
        {}),
    "VolumeMountStatus": ("name mountPath readOnly:bool recursiveReadOnly:v1.RecursiveReadOnlyMode", {}),
    "VolumeProjection": ("",
        {"secret": "SecretProjection", "downwardAPI": "DownwardAPIProjection",
         "configMap": "ConfigMapProjection",
         "serviceAccountToken": "ServiceAccountTokenProjection",
         "clusterTrustBundle": "ClusterTrustBundleProjection"}),
    "VolumeResourceRequirements": ("limits:v1.ResourceList requests:v1.ResourceList", {}),
    "VolumeSource": ("",
        {"hostPath": "HostPathVolumeSource", "emptyDir": "EmptyDirVolumeSource",
         "gcePersistentDisk": "GCEPersistentDiskVolumeSource",
         "awsElasticBlockStore": "AWSElasticBlockStoreVolumeSource",
         "gitRepo": "GitRepoVolumeSource", "secret": "SecretVolumeSource",
         "nfs": "NFSVolumeSource", "iscsi": "ISCSIVolumeSource",
         "glusterfs": "GlusterfsVolumeSource",
         "persistentVolumeClaim": "PersistentVolumeClaimVolumeSource", "rbd": "RBDVolumeSource",
         "flexVolume": "FlexVolumeSource", "cinder": "CinderVolumeSource",
         "cephfs": "CephFSVolumeSource", "flocker": "FlockerVolumeSource",
         "downwardAPI": "DownwardAPIVolumeSource", "fc": "FCVolumeSource",
         "azureFile": "AzureFileVolumeSource", "configMap": "ConfigMapVolumeSource",
         "vsphereVolume": "VsphereVirtualDiskVolumeSource", "quobyte": "QuobyteVolumeSource",
         "azureDisk": "AzureDiskVolumeSource",
         "photonPersistentDisk": "PhotonPersistentDiskVolumeSource",
         "projected": "ProjectedVolumeSource", "portworxVolume": "PortworxVolumeSource",
         "scaleIO": "ScaleIOVolumeSource", "storageos": "StorageOSVolumeSource",
         "csi": "CSIVolumeSource", "ephemeral": "EphemeralVolumeSource",
         "image": "ImageVolumeSource"}),
    "VsphereVirtualDiskVolumeSource": ("volumePath fsType storagePolicyName storagePolicyID", {}),
    "WeightedPodAffinityTerm": ("weight:int32",
        {"podAffinityTerm": "PodAffinityTerm"}),
    "WindowsSecurityContextOptions": ("gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess:bool", {}),
    "discovery.EndpointPort": ("name protocol:v1.Protocol port:int32 appProtocol", {}),
}

# Served kinds; each one's Go type has the kind's name.
KINDS = ("Namespace", "Node", "Pod", "Service", "Endpoints", "ConfigMap", "Event", "Deployment",
         "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision", "EndpointSlice", "Lease")


def _leaf_table(leaves: str) -> dict[str, str]:
    out = {}
    for tok in leaves.split():
        name, _, gotype = tok.partition(":")
        out[name] = gotype or "string"
    return out


_LEAVES: dict[str, dict[str, str]] = {n: _leaf_table(leaves) for n, (leaves, _) in TYPES.items()}
_KIDS: dict[str, dict[str, str]] = {n: kids for n, (_, kids) in TYPES.items()}


def known_fields(type_name: str) -> frozenset[str]:
    """All JSON field names of a type (leaves and children)."""
    return frozenset(_LEAVES[type_name]) | frozenset(_KIDS[type_name])


def unknown_fields(obj: dict) -> list[str]:
    """Paths of the fields the strict decoder would reject, in document order."""
    return scan(obj)[1]


def decode_error(obj: dict) -> str | None:
    return scan(obj)[0]


def scan(obj: dict, *, skip: tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """`skip`: top-level fields not to look at (e.g. a status the store copied from storage)."""
    kind = obj.get("kind") if isinstance(obj, dict) else None
    if kind not in _KIDS:
        return None, []
    s = _Scan()
    s.struct({k: v for k, v in obj.items() if k not in skip} if skip else obj, kind, "", ())
    return s.error, s.unknown


_JSON_KIND = {str: "string", bool: "bool", int: "number", float: "number", list: "array",
              dict: "object"}
_INT_RANGE = {"int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}


def _go_name(type_name: str) -> str:
    return "v1." + type_name.rpartition(".")[2]


def _go_child_type(child: str) -> str:
    if child[:2] == "[]":
        return "[]" + _go_child_type(child[2:])
    if child[:2] == "{}":
        return "map[string]" + _go_child_type(child[2:])
    return _go_name(child)


class _Scan:
    __slots__ = ("error", "unknown")

    def __init__(self):
        self.error: str | None = None
        self.unknown: list[str] = []

    def fail(self, value, struct: str, stack: tuple, gotype: str, desc: str | None = None) -> None:
        if self.error is None:
            what = desc or _JSON_KIND.get(type(value), "value")
            self.error = (f"json: cannot unmarshal {what} into Go struct field "
                          f"{struct.rpartition('.')[2]}.{'.'.join(stack)} of type {gotype}")

    def struct(self, value: dict, type_name: str, path: str, stack: tuple) -> None:
        leaves, kids = _LEAVES[type_name], _KIDS[type_name]
        for k, item in value.items():
            gotype = leaves.get(k)
            if gotype is not None:
                # plain strings are the common case: checked inline
                if item is not None and not (gotype == "string" and item.__class__ is str):
                    self.leaf(item, gotype, type_name, stack + (k,))
                continue
            child = kids.get(k)
            if child is not None:
                if item is not None:
                    self.child(item, child, f"{path}.{k}" if path else k, stack + (k,), type_name)
            else:
                self.unknown.append(f"{path}.{k}" if path else k)

    def child(self, value, child: str, path: str, stack: tuple, struct: str) -> None:
        if child[:2] == "[]":
            if not isinstance(value, list):
                self.fail(value, struct, stack, _go_child_type(child))
                return
            inner = child[2:]
            for i, item in enumerate(value):
                if item is not None:
                    self.child(item, inner, f"{path}[{i}]", stack, struct)
            return
        if child[:2] == "{}":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, _go_child_type(child))
                return
            inner = child[2:]
            for k, item in value.items():
                if item is not None:
                    self.child(item, inner, f"{path}.{k}", stack, struct)
            return
        if not isinstance(value, dict):
            self.fail(value, struct, stack, _go_name(child))
            return
        self.struct(value, child, path, stack)

    def leaf(self, value, gotype: str, struct: str, stack: tuple) -> None:
        if gotype in _INT_RANGE:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(value, struct, stack, gotype)
            elif isinstance(value, float) and not value.is_integer():
                self.fail(value, struct, stack, gotype, f"number {value!r}")
            else:
                lo, hi = _INT_RANGE[gotype]
                if not lo <= value <= hi:
                    self.fail(value, struct, stack, gotype, f"number {value}")
        elif gotype == "bool":
            if not isinstance(value, bool):
                self.fail(value, struct, stack, gotype)
        elif gotype == "resource.Quantity":
            self.quantity(value)
        elif gotype == "v1.ResourceList":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, "v1.ResourceList")
            else:
                for q in value.values():
                    if q is not None:
                        self.quantity(q)
        elif gotype == "intstr.IntOrString":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                if isinstance(value, float) and value.is_integer():
                    return
                if self.error is None:
                    what = f"number {value!r}" if isinstance(value, float) else _JSON_KIND.get(type(value), "value")
                    self.error = f"json: cannot unmarshal {what} into Go value of type int32"
        elif gotype in ("runtime.RawExtension", "v1.FieldsV1"):
            return
        elif gotype[:2] == "[]":
            if not isinstance(value, list):
                self.fail(value, struct, stack, gotype)
            else:
                for item in value:
                    if item is not None:
                        self.leaf(item, gotype[2:], struct, stack)
        elif gotype[:4] == "map[":
            if not isinstance(value, dict):
                self.fail(value, struct, stack, gotype)
            else:
                elem = gotype[gotype.index("]") + 1:]
                elem = "string" if elem == "[]byte" else elem
                for item in value.values():
                    if item is not None:
                        self.leaf(item, elem, struct, stack)
        elif not isinstance(value, str):     # string and named string types
            self.fail(value, struct, stack, gotype)

    def quantity(self, value) -> None:
        if self.error is not None:
            return
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error = Q.FORMAT_ERROR
            return
        try:
            Q.parse_quantity(value)
        except Q.QuantityError as e:
            self.error = str(e)


def drop_unknown(obj: dict, *, skip: tuple[str, ...] = ()) -> None:
    """Remove the fields no type declares, in place: what a non-strict decode keeps."""
    kind = obj.get("kind") if isinstance(obj, dict) else None
    if kind in _KIDS:
        kids = _KIDS[kind]
        for k in [k for k in obj if k not in _LEAVES[kind] and k not in kids and k not in skip]:
            del obj[k]
        for k, child in kids.items():
            if k not in skip and obj.get(k) is not None:
                _drop(obj[k], child)


def _drop(value, type_name: str) -> None:
    if type_name[:2] in ("[]", "{}"):
        inner = type_name[2:]
        items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else ()
        for item in items:
            _drop(item, inner)
        return
    if not isinstance(value, dict):
        return
    leaves, kids = _LEAVES[type_name], _KIDS[type_name]
    for k in [k for k in value if k not in leaves and k not in kids]:
        del value[k]
    for k, child in kids.items():
        if value.get(k) is not None:
            _drop(value[k], child)
