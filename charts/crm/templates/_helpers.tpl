{{/*
Names, labels and the component list. Every per-component template ranges over "crm.components",
so a new service is a values entry under `services:` and nothing else.
*/}}

{{- define "crm.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* crm.componentName (dict "root" $ "name" "lead"): the object name of one component, e.g. crm-lead. */}}
{{- define "crm.componentName" -}}
{{- printf "%s-%s" (include "crm.fullname" .root | trunc 50 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "crm.chartLabel" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that tie every pod of this release together (network policies select on these). */}}
{{- define "crm.releaseSelector" -}}
app.kubernetes.io/name: {{ include "crm.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* crm.selectorLabels (dict "root" $ "name" "lead") */}}
{{- define "crm.selectorLabels" -}}
{{ include "crm.releaseSelector" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* crm.labels (dict "root" $ "name" "lead") */}}
{{- define "crm.labels" -}}
{{ include "crm.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | replace "+" "_" | trunc 63 | quote }}
app.kubernetes.io/part-of: crm
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "crm.chartLabel" .root }}
{{- end -}}

{{/*
crm.merge (dict "base" MAP "over" MAP): deep merge where every value of "over" wins, false and 0
included (sprig's mergeOverwrite skips those, so `autoscaling.enabled: false` would be lost).
Returns YAML; use with fromYaml.
*/}}
{{- define "crm.merge" -}}
{{- $out := deepCopy (default dict .base) -}}
{{- range $k, $v := (default dict .over) -}}
{{- $cur := get $out $k -}}
{{- if and (kindIs "map" $v) (kindIs "map" $cur) -}}
{{- $_ := set $out $k (include "crm.merge" (dict "base" $cur "over" $v) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $k $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
crm.components: YAML map name -> settings of every enabled component. The gateway is kind "http";
each entry of .Values.services is kind "grpc", merged over .Values.serviceDefaults.
*/}}
{{- define "crm.components" -}}
{{- $out := dict -}}
{{- if .Values.gateway.enabled -}}
{{- $g := deepCopy .Values.gateway -}}
{{- $_ := set $g "kind" "http" -}}
{{- $_ := set $out "gateway" $g -}}
{{- end -}}
{{- range $name, $svc := .Values.services -}}
{{- $c := include "crm.merge" (dict "base" $.Values.serviceDefaults "over" $svc) | fromYaml -}}
{{- if $c.enabled -}}
{{- $_ := set $c "kind" "grpc" -}}
{{- $_ := set $out $name $c -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* crm.grpcServices: YAML map name -> grpcPort of the enabled gRPC services. */}}
{{- define "crm.grpcServices" -}}
{{- $out := dict -}}
{{- range $name, $c := (include "crm.components" . | fromYaml) -}}
{{- if eq $c.kind "grpc" -}}
{{- $_ := set $out $name (int $c.grpcPort) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* crm.image (dict "root" $ "name" "lead" "c" $c): registry/prefix/name:tag, or @digest when set. */}}
{{- define "crm.image" -}}
{{- $img := .root.Values.image -}}
{{- $own := default dict .c.image -}}
{{- $repo := $own.repository -}}
{{- if not $repo -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" $img.registry) .name -}}
{{- if $img.repositoryPrefix -}}
{{- $repo = printf "%s/%s/%s" (trimSuffix "/" $img.registry) (trimSuffix "/" $img.repositoryPrefix) .name -}}
{{- end -}}
{{- end -}}
{{- $digest := default $img.digest $own.digest -}}
{{- if $digest -}}
{{- printf "%s@%s" $repo $digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default (default .root.Chart.AppVersion $img.tag) $own.tag) -}}
{{- end -}}
{{- end -}}

{{/* crm.envName "service-ticket" -> SERVICE_TICKET */}}
{{- define "crm.envName" -}}
{{- . | upper | replace "-" "_" -}}
{{- end -}}

{{/* crm.configData (dict "root" $ "name" NAME "c" SETTINGS): the component's ConfigMap data (YAML). */}}
{{- define "crm.configData" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $v := $root.Values -}}
{{- $d := dict -}}
{{- $_ := set $d "LOG_LEVEL" (default $v.logLevel $c.logLevel) -}}
{{- $_ := set $d "SHUTDOWN_TIMEOUT_MS" (toString (int $c.shutdownTimeoutMs)) -}}
{{- $_ := set $d "OTEL_SERVICE_NAME" .name -}}
{{- $attrs := list (printf "service.namespace=%s" $root.Release.Namespace) (printf "service.version=%s" $root.Chart.AppVersion) -}}
{{- range $k, $val := $v.otel.resourceAttributes -}}
{{- $attrs = append $attrs (printf "%s=%s" $k (toString $val)) -}}
{{- end -}}
{{- $_ := set $d "OTEL_RESOURCE_ATTRIBUTES" (join "," $attrs) -}}
{{- if $v.otel.endpoint -}}
{{- $_ := set $d "OTEL_EXPORTER_OTLP_ENDPOINT" $v.otel.endpoint -}}
{{- $_ := set $d "OTEL_EXPORTER_OTLP_PROTOCOL" $v.otel.protocol -}}
{{- $_ := set $d "OTEL_TRACES_EXPORTER" "otlp" -}}
{{- $_ := set $d "OTEL_METRICS_EXPORTER" (ternary "otlp" "none" $v.otel.metrics) -}}
{{- end -}}
{{- /* Every component learns where every gRPC service is: <NAME>_GRPC_ADDR. */ -}}
{{- range $svc, $port := (include "crm.grpcServices" $root | fromYaml) -}}
{{- $addr := printf "%s:%d" (include "crm.componentName" (dict "root" $root "name" $svc)) (int $port) -}}
{{- $_ := set $d (printf "%s_GRPC_ADDR" (include "crm.envName" $svc)) $addr -}}
{{- end -}}
{{- /* Streams and the gateway's key-value bucket alike are kept in this many copies. */ -}}
{{- $_ := set $d "NATS_STREAM_REPLICAS" (toString (int (default 1 $v.nats.streamReplicas))) -}}
{{- if eq $c.kind "http" -}}
{{- $_ := set $d "HOST" $v.listenHost -}}
{{- $_ := set $d "PORT" (toString (int $c.port)) -}}
{{- $_ := set $d "RATE_LIMIT_PER_MINUTE" (toString (int $c.rateLimitPerMinute)) -}}
{{- $_ := set $d "TRUST_PROXY_HOPS" (toString (int (default 0 $c.trustProxyHops))) -}}
{{- $_ := set $d "METRICS_PORT" (toString (int (default 0 $c.metricsPort))) -}}
{{- $_ := set $d "GRPC_DEADLINE_MS" (toString (int $c.grpcDeadlineMs)) -}}
{{- $_ := set $d "BODY_LIMIT" $c.bodyLimit -}}
{{- $_ := set $d "IMPORT_BODY_LIMIT" $c.importBodyLimit -}}
{{- /* Where browsers reach Keycloak, when not at keycloak.url (the console signs in there). */ -}}
{{- with $c.consoleKeycloakUrl }}{{ $_ := set $d "CONSOLE_KEYCLOAK_URL" . }}{{ end -}}
{{- else -}}
{{- $_ := set $d "GRPC_HOST" $v.listenHost -}}
{{- $_ := set $d "GRPC_PORT" (toString (int $c.grpcPort)) -}}
{{- $_ := set $d "MONGODB_DB" $c.database -}}
{{- $_ := set $d "GRPC_REFLECTION" (ternary "true" "false" (ne $c.grpcReflection false)) -}}
{{- with $c.keycloakClient.clientId }}{{ $_ := set $d "SERVICE_CLIENT_ID" . }}{{ end -}}
{{- end -}}
{{- /* Every component verifies the realm's tokens: the gateway those of its callers, services every call. */ -}}
{{- $_ := set $d "KEYCLOAK_URL" $v.keycloak.url -}}
{{- $_ := set $d "KEYCLOAK_REALM" $v.keycloak.realm -}}
{{- $_ := set $d "KEYCLOAK_AUDIENCE" $v.keycloak.audience -}}
{{- /* Services publish events; the gateway keeps Idempotency-Key answers in a JetStream bucket. */ -}}
{{- if not $v.nats.existingSecret -}}
{{- $_ := set $d "NATS_URL" $v.nats.url -}}
{{- end -}}
{{- /* Extra plain variables win over the ones above. */ -}}
{{- range $k, $val := $c.env -}}
{{- $_ := set $d $k (toString $val) -}}
{{- end -}}
{{- toYaml $d -}}
{{- end -}}

{{/* crm.secretEnv (dict "root" $ "name" NAME "c" SETTINGS): env entries read from existing Secrets. */}}
{{- define "crm.secretEnv" -}}
{{- $v := .root.Values -}}
{{- $c := .c -}}
{{- if eq $c.kind "grpc" }}
{{- $m := default dict $c.mongodb }}
- name: MONGODB_URI
  valueFrom:
    secretKeyRef:
      name: {{ default $v.mongodb.existingSecret $m.existingSecret | quote }}
      key: {{ default $v.mongodb.uriKey $m.uriKey | quote }}
{{- end }}
{{- if $v.nats.existingSecret }}
- name: NATS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.nats.existingSecret | quote }}
      key: {{ $v.nats.urlKey | quote }}
{{- end }}
{{- if and (eq $c.kind "grpc") (not $c.provisionTask) }}
{{- $kc := default dict $c.keycloakClient }}
{{- $secret := default $v.keycloak.serviceClients.existingSecret $kc.existingSecret }}
{{- if not $secret }}
{{- fail "keycloak.serviceClients.existingSecret (or services.<name>.keycloakClient.existingSecret) is required: each service calls others and records its own work with its Keycloak client's token" }}
{{- end }}
- name: SERVICE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret | quote }}
      key: {{ default .name $kc.secretKey | quote }}
{{- end }}
{{- /* Each component is its own NATS user, named like the component (.name). */ -}}
{{- if $v.nats.auth.existingSecret }}
- name: NATS_USER
  value: {{ .name | quote }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.nats.auth.existingSecret | quote }}
      key: {{ printf "%s-password" .name | quote }}
{{- end }}
{{- if and (has "keycloakClient" $c.mountSecrets) $v.keycloak.existingSecret }}
- name: KEYCLOAK_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.keycloak.existingSecret | quote }}
      key: {{ $v.keycloak.clientSecretKey | quote }}
{{- end }}
{{- if and (has "confirmationLink" $c.mountSecrets) $v.confirmationLink.existingSecret }}
- name: CONFIRMATION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $v.confirmationLink.existingSecret | quote }}
      key: {{ $v.confirmationLink.key | quote }}
{{- end }}
{{- range $c.extraSecretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- end -}}

{{/* The hardened pod and container security contexts (values can only tighten what the schema allows). */}}
{{- define "crm.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "crm.containerSecurityContext" -}}
{{ toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/* crm.topologySpread (dict "root" $ "name" NAME): spread over nodes and zones. */}}
{{- define "crm.topologySpread" -}}
{{- $t := .root.Values.topologySpread -}}
{{- $name := .name -}}
{{- $root := .root -}}
{{- range $key, $rule := (dict "kubernetes.io/hostname" $t.nodes "topology.kubernetes.io/zone" $t.zones) }}
- maxSkew: {{ $rule.maxSkew }}
  topologyKey: {{ $key }}
  whenUnsatisfiable: {{ $rule.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "crm.selectorLabels" (dict "root" $root "name" $name) | nindent 6 }}
  # Count only the pods of the current ReplicaSet, so a rollout is not skewed by the old one.
  matchLabelKeys:
    - pod-template-hash
{{- end }}
{{- end -}}

{{/* crm.egressRule (dict "rule" .Values.networkPolicy.egress.X): one egress rule (ports, optional peers). */}}
{{- define "crm.egressRule" -}}
- ports:
    {{- range .rule.ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .rule.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* crm.dnsEgress: name resolution (UDP and TCP 53) to the cluster DNS. */}}
{{- define "crm.dnsEgress" -}}
{{- $dns := .Values.networkPolicy.dns -}}
- ports:
    {{- range $dns.ports }}
    - protocol: UDP
      port: {{ . }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with $dns.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
crm.hookDeletePolicy: the one delete policy of every hook object. Helm never deletes hook objects on
uninstall, so they go when the hook ends, failed or not; a failed Job's log is printed first
(hook-output-log-policy).
*/}}
{{- define "crm.hookDeletePolicy" -}}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded,hook-failed
{{- end -}}
