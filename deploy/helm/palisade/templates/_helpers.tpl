{{/* Labels of every object: name, component, part-of, the region for the data plane, and Helm's own. */}}
{{- define "palisade.labels" -}}
app.kubernetes.io/name: palisade
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: palisade
{{- with .region }}
palisade.dev/region: {{ . }}
{{- end }}
{{- if .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}
{{- end }}

{{/* Pod template labels: as above, without Helm's (they would restart pods on a chart upgrade). */}}
{{- define "palisade.podLabels" -}}
{{- include "palisade.labels" (dict "component" .component "region" .region) }}
{{- end }}

{{/* Selector of a component's pods. */}}
{{- define "palisade.selector" -}}
app.kubernetes.io/name: palisade
app.kubernetes.io/component: {{ . }}
{{- end }}

{{- define "palisade.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}

{{/* The data plane's region, checked against `regions`. */}}
{{- define "palisade.region" -}}
{{- $region := .Values.dataPlane.region -}}
{{- if not $region -}}
{{- fail "dataPlane.region is required: one of the regions in values `regions` (e.g. -f values-eu-west.yaml)" -}}
{{- end -}}
{{- if not (hasKey .Values.regions $region) -}}
{{- fail (printf "dataPlane.region %q is not a known region: add it under `regions` in the values, or use one of: %s" $region (keys .Values.regions | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $region -}}
{{- end }}

{{/* Seconds a node may take to stop: the preStop delay, the drain deadline (rounded up), 5 s margin. */}}
{{- define "palisade.dataPlane.gracePeriod" -}}
{{- $drain := div (add (int .Values.dataPlane.shutdownTimeoutMs) 999) 1000 -}}
{{- add (int .Values.dataPlane.preStopDelaySeconds) $drain 5 -}}
{{- end }}

{{/* The pod security context both planes run with: the image's user, no privilege. */}}
{{- define "palisade.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
{{- if .statefulSet }}
fsGroupChangePolicy: OnRootMismatch
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "palisade.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end }}

{{- define "palisade.topologySpread" -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "palisade.selector" . | nindent 6 }}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "palisade.selector" . | nindent 6 }}
{{- end }}
