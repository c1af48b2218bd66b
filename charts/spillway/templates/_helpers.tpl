{{- define "spillway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "spillway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "spillway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spillway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "spillway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "spillway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "spillway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spillway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "spillway.secretName" -}}
{{- default (include "spillway.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/* Where the pod sees its files. Directories, not subPath mounts, so updates reach the pod. */}}
{{- define "spillway.configDir" -}}/etc/spillway/config{{- end }}
{{- define "spillway.secretDir" -}}/etc/spillway/secrets{{- end }}

{{/*
The gateway's config file. Everything under `spillway:` comes from .Values.config, plus what the
chart owns: the apps file location, an empty inline app list, and the shutdown timings.
*/}}
{{- define "spillway.configFile" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $lifecycle := default (dict) (get $cfg "lifecycle") }}
{{- $_ := set $lifecycle "drain-delay" (printf "%ds" (int .Values.shutdown.drainDelaySeconds)) }}
{{- $_ = set $lifecycle "grace-period" (printf "%ds" (int .Values.shutdown.gracePeriodSeconds)) }}
{{- $_ = set $cfg "lifecycle" $lifecycle }}
{{- /* Credentials come only from the mounted Secret; the empty list also overrides any app
       that the image's built-in defaults might declare. */}}
{{- $_ = set $cfg "apps" (list) }}
{{- $_ = set $cfg "apps-file" (printf "%s/apps.yaml" (include "spillway.secretDir" .)) }}
server:
  port: {{ .Values.ports.http }}
  host: 0.0.0.0
{{- /* Lists replace the built-in list whole, so only render sockets when the port differs. */}}
{{- if ne (int .Values.ports.admin) 9090 }}
  sockets:
    - name: admin
      port: {{ .Values.ports.admin }}
{{- end }}
spillway:
{{ toYaml $cfg | indent 2 }}
{{- end }}

{{- define "spillway.validate" -}}
{{- $s := .Values.shutdown }}
{{- $needed := add $s.preStopSleepSeconds $s.drainDelaySeconds $s.gracePeriodSeconds }}
{{- if le (int $s.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must exceed preStopSleepSeconds + drainDelaySeconds + gracePeriodSeconds (%d)" (int $s.terminationGracePeriodSeconds) (int $needed)) }}
{{- end }}
{{- end }}
