{{/* Names, labels and computed settings shared by every template. */}}

{{- define "sciencehub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* release-chart, at most 40 characters so that suffixes like -proxy-public stay under 63. */}}
{{- define "sciencehub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "sciencehub.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "sciencehub.labels" -}}
app.kubernetes.io/name: {{ include "sciencehub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: include with (dict "root" $ "component" "hub"). */}}
{{- define "sciencehub.selector" -}}
app.kubernetes.io/name: {{ include "sciencehub.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sciencehub.componentLabels" -}}
{{ include "sciencehub.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* repository:tag or repository@digest */}}
{{- define "sciencehub.image" -}}
{{- if .digest -}}
{{- printf "%s@%s" .repository .digest -}}
{{- else -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end -}}
{{- end -}}

{{- define "sciencehub.singleuserNamespace" -}}
{{- default .Release.Namespace .Values.singleuser.namespace -}}
{{- end -}}

{{- define "sciencehub.secretName" -}}
{{- default (printf "%s-hub" (include "sciencehub.fullname" .)) .Values.hub.existingSecret -}}
{{- end -}}

{{/* Where the Redis URL lives: the chart's Secret, or the admin's own. */}}
{{- define "sciencehub.redisSecretName" -}}
{{- if and (not .Values.redis.enabled) .Values.redis.external.existingSecret -}}
{{- .Values.redis.external.existingSecret -}}
{{- else -}}
{{- printf "%s-redis-url" (include "sciencehub.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "sciencehub.redisSecretKey" -}}
{{- if and (not .Values.redis.enabled) .Values.redis.external.existingSecret -}}
{{- .Values.redis.external.existingSecretKey -}}
{{- else -}}
redis-url
{{- end -}}
{{- end -}}

{{/* A secret value that survives upgrades: the existing Secret's, else a new random one. */}}
{{- define "sciencehub.keptSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- if and $existing (index ($existing.data | default dict) .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 48 -}}
{{- end -}}
{{- end -}}

{{/* The catalog: values.catalog, else the one shipped in files/catalog.yaml. */}}
{{- define "sciencehub.catalog" -}}
{{- if .Values.catalog -}}
{{- toYaml .Values.catalog -}}
{{- else -}}
{{- .Files.Get "files/catalog.yaml" -}}
{{- end -}}
{{- end -}}

{{/*
The hub config file: what the chart knows (where the proxy API, Redis and the user namespace
are) under the admin's hub.config, which wins key by key. Secrets come from the environment.
*/}}
{{- define "sciencehub.hubConfig" -}}
{{- $full := include "sciencehub.fullname" . -}}
{{- $defaults := dict
  "hub" (dict "ip" "0.0.0.0" "port" 8081 "connectUrl" (printf "http://%s-hub:8081" $full) "trustProxy" (list "loopback" "uniquelocal"))
  "proxy" (dict "mode" "external" "apiUrl" (printf "http://%s-proxy-api:8001" $full))
  "store" (dict "kind" "redis")
  "spawner" (dict "kind" "kubernetes" "namespace" (include "sciencehub.singleuserNamespace" .) "credentials" (dict "source" "in-cluster") "instance" .Release.Name "port" .Values.singleuser.port)
  "images" (dict "catalog" "/etc/sciencehub/catalog/catalog.yaml")
-}}
{{- toYaml (mustMergeOverwrite $defaults (deepCopy .Values.hub.config)) -}}
{{- end -}}

{{- define "sciencehub.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "sciencehub.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "sciencehub.placement" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Labels the kubernetes spawner puts on every user pod (spawner/kubernetes). */}}
{{- define "sciencehub.singleuserSelector" -}}
app.kubernetes.io/managed-by: sciencehub
app.kubernetes.io/component: singleuser-server
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component of this release. */}}
{{- define "sciencehub.peer" -}}
- podSelector:
    matchLabels:
      {{- include "sciencehub.selector" (dict "root" .root "component" .component) | nindent 6 }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .root.Release.Namespace }}
{{- end -}}
{{- define "sciencehub.userPods" -}}
- podSelector:
    matchLabels:
      {{- include "sciencehub.singleuserSelector" . | nindent 6 }}
  namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ include "sciencehub.singleuserNamespace" . }}
{{- end -}}
