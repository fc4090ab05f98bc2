# Log-based metrics, alert policies and a dashboard. The metrics come from what is logged anyway: the provisioner's
# "workspace running" line (totalMillis), and Cloud Run's request logs (latency and status of every request).

variable "project_id" {
  type = string
}

variable "alert_email" {
  type = string
}

variable "dead_letter_subscriptions" {
  description = "The dead-letter inspection subscriptions: anything arriving there needs a person."
  type        = list(string)
}

resource "google_monitoring_notification_channel" "email" {
  project      = var.project_id
  display_name = "Coditect operators"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }
}

resource "google_logging_metric" "provisioning_time" {
  project     = var.project_id
  name        = "coditect/workspace_provisioning_seconds"
  description = "Signup or start to a ready workspace pod, per workspace (the provisioner's \"workspace running\" log line)."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"provision\" AND jsonPayload.message=\"workspace running\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "ms"
  }
  value_extractor = "EXTRACT(jsonPayload.totalMillis)"
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 1.5
      scale              = 1000
    }
  }
}

resource "google_logging_metric" "session_check_latency" {
  project     = var.project_id
  name        = "coditect/session_check_latency"
  description = "Latency of GET /v1/auth/session (every sidecar checks sessions with it) as the load balancer saw it."
  filter      = "resource.type=\"http_load_balancer\" AND httpRequest.requestMethod=\"GET\" AND httpRequest.requestUrl=~\"/v1/auth/session($|\\\\?)\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "s"
  }
  value_extractor = "REGEXP_EXTRACT(httpRequest.latency, \"([0-9.]+)s\")"
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 24
      growth_factor      = 1.5
      scale              = 0.001
    }
  }
}

resource "google_logging_metric" "server_errors" {
  project     = var.project_id
  name        = "coditect/http_5xx"
  description = "Responses with a 5xx status from any function, by service and revision."
  filter      = "resource.type=\"cloud_run_revision\" AND httpRequest.status>=500"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "service"
      value_type = "STRING"
    }
    labels {
      key        = "revision"
      value_type = "STRING"
    }
  }
  label_extractors = {
    service  = "EXTRACT(resource.labels.service_name)"
    revision = "EXTRACT(resource.labels.revision_name)"
  }
}

resource "google_monitoring_alert_policy" "error_rate" {
  project      = var.project_id
  display_name = "Functions: 5xx above 1 % of requests"
  combiner     = "OR"
  conditions {
    display_name = "5xx ratio over 5 minutes"
    condition_prometheus_query_language {
      query               = "sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\",response_code_class=\"5xx\"}[5m])) / sum by (service_name) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\"}[5m])) > 0.01"
      duration            = "300s"
      evaluation_interval = "60s"
    }
  }
  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_alert_policy" "session_check_latency" {
  project      = var.project_id
  display_name = "Session checks: p95 above 100 ms"
  combiner     = "OR"
  conditions {
    display_name = "p95 of GET /v1/auth/session"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.session_check_latency.name}\" AND resource.type=\"l7_lb_rule\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0.1
      duration        = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_PERCENTILE_95"
        cross_series_reducer = "REDUCE_MAX"
      }
    }
  }
  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_alert_policy" "provisioning_time" {
  project      = var.project_id
  display_name = "Workspaces: p95 provisioning above 120 s"
  combiner     = "OR"
  conditions {
    display_name = "p95 signup-to-ready"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.provisioning_time.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 120000
      duration        = "900s"
      aggregations {
        alignment_period     = "900s"
        per_series_aligner   = "ALIGN_PERCENTILE_95"
        cross_series_reducer = "REDUCE_MAX"
      }
    }
  }
  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  project      = var.project_id
  display_name = "Pub/Sub: messages dead-lettered"
  combiner     = "OR"
  conditions {
    display_name = "undelivered dead letters"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.label.subscription_id=monitoring.regex.full_match(\"${join("|", var.dead_letter_subscriptions)}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
  notification_channels = [google_monitoring_notification_channel.email.id]
}

resource "google_monitoring_dashboard" "platform" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "Coditect platform"
    mosaicLayout = {
      columns = 12
      tiles = [
        {
          width = 6, height = 4, xPos = 0, yPos = 0
          widget = {
            title = "Requests by function and status class"
            xyChart = { dataSets = [{
              plotType        = "STACKED_AREA"
              timeSeriesQuery = { prometheusQuery = "sum by (service_name, response_code_class) (rate(run_googleapis_com:request_count{monitored_resource=\"cloud_run_revision\"}[5m]))" }
            }] }
          }
        },
        {
          width = 6, height = 4, xPos = 6, yPos = 0
          widget = {
            title = "p95 latency by function"
            xyChart = { dataSets = [{
              plotType        = "LINE"
              timeSeriesQuery = { prometheusQuery = "histogram_quantile(0.95, sum by (service_name, le) (rate(run_googleapis_com:request_latencies_bucket{monitored_resource=\"cloud_run_revision\"}[5m])))" }
            }] }
          }
        },
        {
          width = 6, height = 4, xPos = 0, yPos = 4
          widget = {
            title = "Session check p95 (s)"
            xyChart = { dataSets = [{
              plotType = "LINE"
              timeSeriesQuery = { timeSeriesFilter = {
                filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.session_check_latency.name}\""
                aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_PERCENTILE_95", crossSeriesReducer = "REDUCE_MAX" }
              } }
            }] }
          }
        },
        {
          width = 6, height = 4, xPos = 6, yPos = 4
          widget = {
            title = "Workspace provisioning p50 / p95 (ms)"
            xyChart = { dataSets = [
              { plotType = "LINE", timeSeriesQuery = { timeSeriesFilter = {
                filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.provisioning_time.name}\""
                aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_PERCENTILE_50", crossSeriesReducer = "REDUCE_MAX" }
              } } },
              { plotType = "LINE", timeSeriesQuery = { timeSeriesFilter = {
                filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.provisioning_time.name}\""
                aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_PERCENTILE_95", crossSeriesReducer = "REDUCE_MAX" }
              } } }
            ] }
          }
        },
        {
          width = 6, height = 4, xPos = 0, yPos = 8
          widget = {
            title = "5xx by function (log-based)"
            xyChart = { dataSets = [{
              plotType = "STACKED_BAR"
              timeSeriesQuery = { timeSeriesFilter = {
                filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.server_errors.name}\""
                aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_RATE", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["metric.label.service"] }
              } }
            }] }
          }
        },
        {
          width = 6, height = 4, xPos = 6, yPos = 8
          widget = {
            title = "Pub/Sub backlog and dead letters"
            xyChart = { dataSets = [{
              plotType = "LINE"
              timeSeriesQuery = { timeSeriesFilter = {
                filter      = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\""
                aggregation = { alignmentPeriod = "60s", perSeriesAligner = "ALIGN_MAX", crossSeriesReducer = "REDUCE_MAX", groupByFields = ["resource.label.subscription_id"] }
              } }
            }] }
          }
        },
      ]
    }
  })
}
