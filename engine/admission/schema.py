"""Strict decoding: the JSON field names each served type knows, and the paths of unknown ones.

The table below is data: for every Go struct reachable from a served kind (k8s.io/api core/v1,
apps/v1, discovery.k8s.io/v1, coordination.k8s.io/v1 and apimachinery meta/v1 at v1.32), its
`json:` tag names, split into leaves (scalars, maps of scalars, quantities, IntOrString, times,
RawExtension) and typed children ("[]X" a list of X, "{}X" a map of X, "X" a nested struct).
Inline embeddings (TypeMeta, VolumeSource, ProbeHandler, ...) are already flattened.

`unknown_fields(obj)` walks an object in document order and returns upstream's paths for fields
no type declares, e.g. `spec.replica` or `spec.template.spec.containers[0].imagee` (the strict
decoder's "unknown field" list, sigs.k8s.io/json).
"""
from __future__ import annotations

# type name -> (space-separated leaf fields, {field: child type})
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
    "ConfigMap": ("kind apiVersion immutable data binaryData",
        {"metadata": "ObjectMeta"}),
    "Event": (
        "kind apiVersion reason message firstTimestamp lastTimestamp count type eventTime "
        "action reportingComponent reportingInstance",
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
    "ControllerRevision": ("kind apiVersion data revision",
        {"metadata": "ObjectMeta"}),
    "EndpointSlice": ("kind apiVersion addressType",
        {"metadata": "ObjectMeta", "endpoints": "[]Endpoint", "ports": "[]discovery.EndpointPort"}),
    "Lease": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "LeaseSpec"}),
    "AWSElasticBlockStoreVolumeSource": ("volumeID fsType partition readOnly", {}),
    "Affinity": ("",
        {"nodeAffinity": "NodeAffinity", "podAffinity": "PodAffinity",
         "podAntiAffinity": "PodAntiAffinity"}),
    "AppArmorProfile": ("type localhostProfile", {}),
    "AttachedVolume": ("name devicePath", {}),
    "AzureDiskVolumeSource": ("diskName diskURI cachingMode fsType readOnly kind", {}),
    "AzureFileVolumeSource": ("secretName shareName readOnly", {}),
    "CSIVolumeSource": ("driver readOnly fsType volumeAttributes",
        {"nodePublishSecretRef": "LocalObjectReference"}),
    "Capabilities": ("add drop", {}),
    "CephFSVolumeSource": ("monitors path user secretFile readOnly",
        {"secretRef": "LocalObjectReference"}),
    "CinderVolumeSource": ("volumeID fsType readOnly",
        {"secretRef": "LocalObjectReference"}),
    "ClientIPConfig": ("timeoutSeconds", {}),
    "ClusterTrustBundleProjection": ("name signerName optional path",
        {"labelSelector": "LabelSelector"}),
    "Condition": ("type status observedGeneration lastTransitionTime reason message", {}),
    "ConfigMapEnvSource": ("name optional", {}),
    "ConfigMapKeySelector": ("name key optional", {}),
    "ConfigMapNodeConfigSource": ("namespace name uid resourceVersion kubeletConfigKey", {}),
    "ConfigMapProjection": ("name optional",
        {"items": "[]KeyToPath"}),
    "ConfigMapVolumeSource": ("name defaultMode optional",
        {"items": "[]KeyToPath"}),
    "Container": (
        "name image command args workingDir restartPolicy terminationMessagePath "
        "terminationMessagePolicy imagePullPolicy stdin stdinOnce tty",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "ContainerImage": ("names sizeBytes", {}),
    "ContainerPort": ("name hostPort containerPort protocol hostIP", {}),
    "ContainerResizePolicy": ("resourceName restartPolicy", {}),
    "ContainerState": ("",
        {"waiting": "ContainerStateWaiting", "running": "ContainerStateRunning",
         "terminated": "ContainerStateTerminated"}),
    "ContainerStateRunning": ("startedAt", {}),
    "ContainerStateTerminated": ("exitCode signal reason message startedAt finishedAt containerID", {}),
    "ContainerStateWaiting": ("reason message", {}),
    "ContainerStatus": ("name ready restartCount image imageID containerID started allocatedResources",
        {"state": "ContainerState", "lastState": "ContainerState",
         "resources": "ResourceRequirements", "volumeMounts": "[]VolumeMountStatus",
         "user": "ContainerUser", "allocatedResourcesStatus": "[]ResourceStatus"}),
    "ContainerUser": ("",
        {"linux": "LinuxContainerUser"}),
    "DaemonEndpoint": ("Port", {}),
    "DaemonSetCondition": ("type status lastTransitionTime reason message", {}),
    "DaemonSetSpec": ("minReadySeconds revisionHistoryLimit",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "updateStrategy": "DaemonSetUpdateStrategy"}),
    "DaemonSetStatus": (
        "currentNumberScheduled numberMisscheduled desiredNumberScheduled numberReady "
        "observedGeneration updatedNumberScheduled numberAvailable numberUnavailable "
        "collisionCount",
        {"conditions": "[]DaemonSetCondition"}),
    "DaemonSetUpdateStrategy": ("type",
        {"rollingUpdate": "RollingUpdateDaemonSet"}),
    "DeploymentCondition": ("type status lastUpdateTime lastTransitionTime reason message", {}),
    "DeploymentSpec": ("replicas minReadySeconds revisionHistoryLimit paused progressDeadlineSeconds",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "strategy": "DeploymentStrategy"}),
    "DeploymentStatus": (
        "observedGeneration replicas updatedReplicas readyReplicas availableReplicas "
        "unavailableReplicas collisionCount",
        {"conditions": "[]DeploymentCondition"}),
    "DeploymentStrategy": ("type",
        {"rollingUpdate": "RollingUpdateDeployment"}),
    "DownwardAPIProjection": ("",
        {"items": "[]DownwardAPIVolumeFile"}),
    "DownwardAPIVolumeFile": ("path mode",
        {"fieldRef": "ObjectFieldSelector", "resourceFieldRef": "ResourceFieldSelector"}),
    "DownwardAPIVolumeSource": ("defaultMode",
        {"items": "[]DownwardAPIVolumeFile"}),
    "EmptyDirVolumeSource": ("medium sizeLimit", {}),
    "Endpoint": ("addresses hostname deprecatedTopology nodeName zone",
        {"conditions": "discovery.EndpointConditions", "targetRef": "ObjectReference",
         "hints": "EndpointHints"}),
    "EndpointAddress": ("ip hostname nodeName",
        {"targetRef": "ObjectReference"}),
    "EndpointHints": ("",
        {"forZones": "[]ForZone"}),
    "EndpointPort": ("name port protocol appProtocol", {}),
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
        "name image command args workingDir restartPolicy terminationMessagePath "
        "terminationMessagePolicy imagePullPolicy stdin stdinOnce tty targetContainerName",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "EphemeralContainerCommon": (
        "name image command args workingDir restartPolicy terminationMessagePath "
        "terminationMessagePolicy imagePullPolicy stdin stdinOnce tty",
        {"ports": "[]ContainerPort", "envFrom": "[]EnvFromSource", "env": "[]EnvVar",
         "resources": "ResourceRequirements", "resizePolicy": "[]ContainerResizePolicy",
         "volumeMounts": "[]VolumeMount", "volumeDevices": "[]VolumeDevice",
         "livenessProbe": "Probe", "readinessProbe": "Probe", "startupProbe": "Probe",
         "lifecycle": "Lifecycle", "securityContext": "SecurityContext"}),
    "EphemeralVolumeSource": ("",
        {"volumeClaimTemplate": "PersistentVolumeClaimTemplate"}),
    "EventSeries": ("count lastObservedTime", {}),
    "EventSource": ("component host", {}),
    "ExecAction": ("command", {}),
    "FCVolumeSource": ("targetWWNs lun fsType readOnly wwids", {}),
    "FlexVolumeSource": ("driver fsType readOnly options",
        {"secretRef": "LocalObjectReference"}),
    "FlockerVolumeSource": ("datasetName datasetUUID", {}),
    "ForZone": ("name", {}),
    "GCEPersistentDiskVolumeSource": ("pdName fsType partition readOnly", {}),
    "GRPCAction": ("port service", {}),
    "GitRepoVolumeSource": ("repository revision directory", {}),
    "GlusterfsVolumeSource": ("endpoints path readOnly", {}),
    "HTTPGetAction": ("path port host scheme",
        {"httpHeaders": "[]HTTPHeader"}),
    "HTTPHeader": ("name value", {}),
    "HostAlias": ("ip hostnames", {}),
    "HostIP": ("ip", {}),
    "HostPathVolumeSource": ("path type", {}),
    "ISCSIVolumeSource": (
        "targetPortal iqn lun iscsiInterface fsType readOnly portals chapAuthDiscovery "
        "chapAuthSession initiatorName",
        {"secretRef": "LocalObjectReference"}),
    "ImageVolumeSource": ("reference pullPolicy", {}),
    "KeyToPath": ("key path mode", {}),
    "LabelSelector": ("matchLabels",
        {"matchExpressions": "[]LabelSelectorRequirement"}),
    "LabelSelectorRequirement": ("key operator values", {}),
    "LeaseSpec": (
        "holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions "
        "strategy preferredHolder",
        {}),
    "Lifecycle": ("",
        {"postStart": "LifecycleHandler", "preStop": "LifecycleHandler"}),
    "LifecycleHandler": ("",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "sleep": "SleepAction"}),
    "LinuxContainerUser": ("uid gid supplementalGroups", {}),
    "LoadBalancerIngress": ("ip hostname ipMode",
        {"ports": "[]PortStatus"}),
    "LoadBalancerStatus": ("",
        {"ingress": "[]LoadBalancerIngress"}),
    "LocalObjectReference": ("name", {}),
    "ManagedFieldsEntry": ("manager operation apiVersion time fieldsType fieldsV1 subresource", {}),
    "ModifyVolumeStatus": ("targetVolumeAttributesClassName status", {}),
    "NFSVolumeSource": ("server path readOnly", {}),
    "NamespaceCondition": ("type status lastTransitionTime reason message", {}),
    "NamespaceSpec": ("finalizers", {}),
    "NamespaceStatus": ("phase",
        {"conditions": "[]NamespaceCondition"}),
    "NodeAddress": ("type address", {}),
    "NodeAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "NodeSelector",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]PreferredSchedulingTerm"}),
    "NodeCondition": ("type status lastHeartbeatTime lastTransitionTime reason message", {}),
    "NodeConfigSource": ("",
        {"configMap": "ConfigMapNodeConfigSource"}),
    "NodeConfigStatus": ("error",
        {"assigned": "NodeConfigSource", "active": "NodeConfigSource",
         "lastKnownGood": "NodeConfigSource"}),
    "NodeDaemonEndpoints": ("",
        {"kubeletEndpoint": "DaemonEndpoint"}),
    "NodeFeatures": ("supplementalGroupsPolicy", {}),
    "NodeRuntimeHandler": ("name",
        {"features": "NodeRuntimeHandlerFeatures"}),
    "NodeRuntimeHandlerFeatures": ("recursiveReadOnlyMounts userNamespaces", {}),
    "NodeSelector": ("",
        {"nodeSelectorTerms": "[]NodeSelectorTerm"}),
    "NodeSelectorRequirement": ("key operator values", {}),
    "NodeSelectorTerm": ("",
        {"matchExpressions": "[]NodeSelectorRequirement",
         "matchFields": "[]NodeSelectorRequirement"}),
    "NodeSpec": ("podCIDR podCIDRs providerID unschedulable externalID",
        {"taints": "[]Taint", "configSource": "NodeConfigSource"}),
    "NodeStatus": ("capacity allocatable phase volumesInUse",
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
        "name generateName namespace selfLink uid resourceVersion generation "
        "creationTimestamp deletionTimestamp deletionGracePeriodSeconds labels "
        "annotations finalizers",
        {"ownerReferences": "[]OwnerReference", "managedFields": "[]ManagedFieldsEntry"}),
    "ObjectReference": ("kind namespace name uid apiVersion resourceVersion fieldPath", {}),
    "OwnerReference": ("apiVersion kind name uid controller blockOwnerDeletion", {}),
    "PersistentVolumeClaim": ("kind apiVersion",
        {"metadata": "ObjectMeta", "spec": "PersistentVolumeClaimSpec",
         "status": "PersistentVolumeClaimStatus"}),
    "PersistentVolumeClaimCondition": ("type status lastProbeTime lastTransitionTime reason message", {}),
    "PersistentVolumeClaimSpec": (
        "accessModes volumeName storageClassName volumeMode volumeAttributesClassName",
        {"selector": "LabelSelector", "resources": "VolumeResourceRequirements",
         "dataSource": "TypedLocalObjectReference", "dataSourceRef": "TypedObjectReference"}),
    "PersistentVolumeClaimStatus": (
        "phase accessModes capacity allocatedResources allocatedResourceStatuses "
        "currentVolumeAttributesClassName",
        {"conditions": "[]PersistentVolumeClaimCondition",
         "modifyVolumeStatus": "ModifyVolumeStatus"}),
    "PersistentVolumeClaimTemplate": ("",
        {"metadata": "ObjectMeta", "spec": "PersistentVolumeClaimSpec"}),
    "PersistentVolumeClaimVolumeSource": ("claimName readOnly", {}),
    "PhotonPersistentDiskVolumeSource": ("pdID fsType", {}),
    "PodAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "[]PodAffinityTerm",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]WeightedPodAffinityTerm"}),
    "PodAffinityTerm": ("namespaces topologyKey matchLabelKeys mismatchLabelKeys",
        {"labelSelector": "LabelSelector", "namespaceSelector": "LabelSelector"}),
    "PodAntiAffinity": ("",
        {"requiredDuringSchedulingIgnoredDuringExecution": "[]PodAffinityTerm",
         "preferredDuringSchedulingIgnoredDuringExecution": "[]WeightedPodAffinityTerm"}),
    "PodCondition": ("type status lastProbeTime lastTransitionTime reason message", {}),
    "PodDNSConfig": ("nameservers searches",
        {"options": "[]PodDNSConfigOption"}),
    "PodDNSConfigOption": ("name value", {}),
    "PodIP": ("ip", {}),
    "PodOS": ("name", {}),
    "PodReadinessGate": ("conditionType", {}),
    "PodResourceClaim": ("name resourceClaimName resourceClaimTemplateName", {}),
    "PodResourceClaimStatus": ("name resourceClaimName", {}),
    "PodSchedulingGate": ("name", {}),
    "PodSecurityContext": (
        "runAsUser runAsGroup runAsNonRoot supplementalGroups supplementalGroupsPolicy "
        "fsGroup fsGroupChangePolicy seLinuxChangePolicy",
        {"seLinuxOptions": "SELinuxOptions", "windowsOptions": "WindowsSecurityContextOptions",
         "sysctls": "[]Sysctl", "seccompProfile": "SeccompProfile",
         "appArmorProfile": "AppArmorProfile"}),
    "PodSpec": (
        "restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy "
        "nodeSelector serviceAccountName serviceAccount automountServiceAccountToken "
        "nodeName hostNetwork hostPID hostIPC shareProcessNamespace hostname subdomain "
        "schedulerName priorityClassName priority runtimeClassName enableServiceLinks "
        "preemptionPolicy overhead setHostnameAsFQDN hostUsers",
        {"volumes": "[]Volume", "initContainers": "[]Container", "containers": "[]Container",
         "ephemeralContainers": "[]EphemeralContainer", "securityContext": "PodSecurityContext",
         "imagePullSecrets": "[]LocalObjectReference", "affinity": "Affinity",
         "tolerations": "[]Toleration", "hostAliases": "[]HostAlias", "dnsConfig": "PodDNSConfig",
         "readinessGates": "[]PodReadinessGate",
         "topologySpreadConstraints": "[]TopologySpreadConstraint", "os": "PodOS",
         "schedulingGates": "[]PodSchedulingGate", "resourceClaims": "[]PodResourceClaim",
         "resources": "ResourceRequirements"}),
    "PodStatus": ("phase message reason nominatedNodeName hostIP podIP startTime qosClass resize",
        {"conditions": "[]PodCondition", "hostIPs": "[]HostIP", "podIPs": "[]PodIP",
         "initContainerStatuses": "[]ContainerStatus", "containerStatuses": "[]ContainerStatus",
         "ephemeralContainerStatuses": "[]ContainerStatus",
         "resourceClaimStatuses": "[]PodResourceClaimStatus"}),
    "PodTemplateSpec": ("",
        {"metadata": "ObjectMeta", "spec": "PodSpec"}),
    "PortStatus": ("port protocol error", {}),
    "PortworxVolumeSource": ("volumeID fsType readOnly", {}),
    "PreferredSchedulingTerm": ("weight",
        {"preference": "NodeSelectorTerm"}),
    "Probe": (
        "initialDelaySeconds timeoutSeconds periodSeconds successThreshold "
        "failureThreshold terminationGracePeriodSeconds",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "grpc": "GRPCAction"}),
    "ProbeHandler": ("",
        {"exec": "ExecAction", "httpGet": "HTTPGetAction", "tcpSocket": "TCPSocketAction",
         "grpc": "GRPCAction"}),
    "ProjectedVolumeSource": ("defaultMode",
        {"sources": "[]VolumeProjection"}),
    "QuobyteVolumeSource": ("registry volume readOnly user group tenant", {}),
    "RBDVolumeSource": ("monitors image fsType pool user keyring readOnly",
        {"secretRef": "LocalObjectReference"}),
    "ReplicaSetCondition": ("type status lastTransitionTime reason message", {}),
    "ReplicaSetSpec": ("replicas minReadySeconds",
        {"selector": "LabelSelector", "template": "PodTemplateSpec"}),
    "ReplicaSetStatus": ("replicas fullyLabeledReplicas readyReplicas availableReplicas observedGeneration",
        {"conditions": "[]ReplicaSetCondition"}),
    "ResourceClaim": ("name request", {}),
    "ResourceFieldSelector": ("containerName resource divisor", {}),
    "ResourceHealth": ("resourceID health", {}),
    "ResourceRequirements": ("limits requests",
        {"claims": "[]ResourceClaim"}),
    "ResourceStatus": ("name",
        {"resources": "[]ResourceHealth"}),
    "RollingUpdateDaemonSet": ("maxUnavailable maxSurge", {}),
    "RollingUpdateDeployment": ("maxUnavailable maxSurge", {}),
    "RollingUpdateStatefulSetStrategy": ("partition maxUnavailable", {}),
    "SELinuxOptions": ("user role type level", {}),
    "ScaleIOVolumeSource": (
        "gateway system sslEnabled protectionDomain storagePool storageMode volumeName "
        "fsType readOnly",
        {"secretRef": "LocalObjectReference"}),
    "SeccompProfile": ("type localhostProfile", {}),
    "SecretEnvSource": ("name optional", {}),
    "SecretKeySelector": ("name key optional", {}),
    "SecretProjection": ("name optional",
        {"items": "[]KeyToPath"}),
    "SecretVolumeSource": ("secretName defaultMode optional",
        {"items": "[]KeyToPath"}),
    "SecurityContext": (
        "privileged runAsUser runAsGroup runAsNonRoot readOnlyRootFilesystem "
        "allowPrivilegeEscalation procMount",
        {"capabilities": "Capabilities", "seLinuxOptions": "SELinuxOptions",
         "windowsOptions": "WindowsSecurityContextOptions", "seccompProfile": "SeccompProfile",
         "appArmorProfile": "AppArmorProfile"}),
    "ServiceAccountTokenProjection": ("audience expirationSeconds path", {}),
    "ServicePort": ("name protocol appProtocol port targetPort nodePort", {}),
    "ServiceSpec": (
        "selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP "
        "loadBalancerSourceRanges externalName externalTrafficPolicy healthCheckNodePort "
        "publishNotReadyAddresses ipFamilies ipFamilyPolicy allocateLoadBalancerNodePorts "
        "loadBalancerClass internalTrafficPolicy trafficDistribution",
        {"ports": "[]ServicePort", "sessionAffinityConfig": "SessionAffinityConfig"}),
    "ServiceStatus": ("",
        {"loadBalancer": "LoadBalancerStatus", "conditions": "[]Condition"}),
    "SessionAffinityConfig": ("",
        {"clientIP": "ClientIPConfig"}),
    "SleepAction": ("seconds", {}),
    "StatefulSetCondition": ("type status lastTransitionTime reason message", {}),
    "StatefulSetOrdinals": ("start", {}),
    "StatefulSetPersistentVolumeClaimRetentionPolicy": ("whenDeleted whenScaled", {}),
    "StatefulSetSpec": ("replicas serviceName podManagementPolicy revisionHistoryLimit minReadySeconds",
        {"selector": "LabelSelector", "template": "PodTemplateSpec",
         "volumeClaimTemplates": "[]PersistentVolumeClaim",
         "updateStrategy": "StatefulSetUpdateStrategy",
         "persistentVolumeClaimRetentionPolicy": "StatefulSetPersistentVolumeClaimRetentionPolicy",
         "ordinals": "StatefulSetOrdinals"}),
    "StatefulSetStatus": (
        "observedGeneration replicas readyReplicas currentReplicas updatedReplicas "
        "currentRevision updateRevision collisionCount availableReplicas",
        {"conditions": "[]StatefulSetCondition"}),
    "StatefulSetUpdateStrategy": ("type",
        {"rollingUpdate": "RollingUpdateStatefulSetStrategy"}),
    "StorageOSVolumeSource": ("volumeName volumeNamespace fsType readOnly",
        {"secretRef": "LocalObjectReference"}),
    "Sysctl": ("name value", {}),
    "TCPSocketAction": ("port host", {}),
    "Taint": ("key value effect timeAdded", {}),
    "Toleration": ("key operator value effect tolerationSeconds", {}),
    "TopologySpreadConstraint": (
        "maxSkew topologyKey whenUnsatisfiable minDomains nodeAffinityPolicy "
        "nodeTaintsPolicy matchLabelKeys",
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
    "VolumeMount": ("name readOnly recursiveReadOnly mountPath subPath mountPropagation subPathExpr", {}),
    "VolumeMountStatus": ("name mountPath readOnly recursiveReadOnly", {}),
    "VolumeProjection": ("",
        {"secret": "SecretProjection", "downwardAPI": "DownwardAPIProjection",
         "configMap": "ConfigMapProjection",
         "serviceAccountToken": "ServiceAccountTokenProjection",
         "clusterTrustBundle": "ClusterTrustBundleProjection"}),
    "VolumeResourceRequirements": ("limits requests", {}),
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
    "WeightedPodAffinityTerm": ("weight",
        {"podAffinityTerm": "PodAffinityTerm"}),
    "WindowsSecurityContextOptions": (
        "gmsaCredentialSpecName gmsaCredentialSpec runAsUserName hostProcess",
        {}),
    "discovery.EndpointConditions": ("ready serving terminating", {}),
    "discovery.EndpointPort": ("name protocol port appProtocol", {}),
}

# Served kind -> its top-level type (every served kind's Go type has the kind's name).
KINDS = ("Namespace", "Node", "Pod", "Service", "Endpoints", "ConfigMap", "Event", "Deployment",
         "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision", "EndpointSlice", "Lease")

_LEAVES: dict[str, frozenset[str]] = {name: frozenset(leaves.split()) for name, (leaves, _) in TYPES.items()}
_KIDS: dict[str, dict[str, str]] = {name: kids for name, (_, kids) in TYPES.items()}


def known_fields(type_name: str) -> frozenset[str]:
    """All JSON field names of a type (leaves and children)."""
    return _LEAVES[type_name] | frozenset(_KIDS[type_name])


def unknown_fields(obj: dict) -> list[str]:
    """Paths of fields the strict decoder would reject, in document order ([] if the kind is not
    served: that is reported elsewhere)."""
    kind = obj.get("kind") if isinstance(obj, dict) else None
    if kind not in _KIDS:
        return []
    out: list[str] = []
    _walk(obj, kind, "", out)
    return out


def _walk(value, type_name: str, path: str, out: list[str]) -> None:
    if type_name[:2] == "[]":
        if isinstance(value, list):
            inner = type_name[2:]
            for i, item in enumerate(value):
                _walk(item, inner, f"{path}[{i}]", out)
        return
    if type_name[:2] == "{}":
        if isinstance(value, dict):
            inner = type_name[2:]
            for k, item in value.items():
                _walk(item, inner, f"{path}[{k}]", out)
        return
    if not isinstance(value, dict):
        return
    leaves, kids = _LEAVES[type_name], _KIDS[type_name]
    for k, item in value.items():
        child = kids.get(k)
        if child is not None:
            _walk(item, child, f"{path}.{k}" if path else k, out)
        elif k not in leaves:
            out.append(f"{path}.{k}" if path else k)
