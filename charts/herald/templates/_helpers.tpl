{{/* The app name: "herald", or nameOverride. */}}
{{- define "herald.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object's name: fullnameOverride, else the release name when it contains
the app name, else "<release>-<name>". Room is left for the "-controller-sources" suffix.
*/}}
{{- define "herald.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 44 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "herald.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 44 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 44 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of the Deployment, Service, ClusterRole and bindings: "<prefix>-controller". */}}
{{- define "herald.controllerName" -}}
{{- printf "%s-controller" (include "herald.fullname" .) -}}
{{- end -}}

{{- define "herald.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "herald.controllerName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the controller's pods; they never change across upgrades. */}}
{{- define "herald.selectorLabels" -}}
app.kubernetes.io/name: {{ include "herald.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{/* Labels of every object, the same as config/default's plus Helm's. */}}
{{- define "herald.labels" -}}
{{ include "herald.selectorLabels" . }}
app.kubernetes.io/part-of: herald
app.kubernetes.io/version: {{ include "herald.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "herald.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* The data volume's claim: existingClaim or the one the chart creates. */}}
{{- define "herald.claimName" -}}
{{- default (printf "%s-data" (include "herald.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}
