{{/*
Names: with the release name aggregation-operator (or one containing it) and the namespace
aggregation-operator-system, every object is named as `make deploy` (config/default) names it.
*/}}
{{- define "aggregation-operator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<suffix>, e.g. aggregation-operator-controller-manager. */}}
{{- define "aggregation-operator.name" -}}
{{- printf "%s-%s" (include "aggregation-operator.fullname" .root) .suffix -}}
{{- end -}}

{{- define "aggregation-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "aggregation-operator.name" (dict "root" . "suffix" "controller-manager")) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "aggregation-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "aggregation-operator.labels" -}}
{{ include "aggregation-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* An image reference from {repository, tag}; the tag defaults to the chart's appVersion. */}}
{{- define "aggregation-operator.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}
