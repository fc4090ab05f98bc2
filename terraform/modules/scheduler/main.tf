# The cleanup tick: every 5 minutes Cloud Scheduler starts a small workflow that publishes a cleanup.tick event to
# cleanup-ticks in the envelope every consumer reads. A workflow sits in between because each tick needs an id and
# a time of its own (the cleanup runs once per tick id), and a scheduler job can only send a fixed body. The id is
# the 5-minute slot, so a scheduler retry within the same slot is recognised as the same tick.

variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "topic_name" {
  description = "Name of the cleanup-ticks topic."
  type        = string
}

resource "google_service_account" "ticker" {
  project      = var.project_id
  account_id   = "cleanup-ticker"
  display_name = "Workflow that publishes the cleanup tick"
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "cleanup-scheduler"
  display_name = "Cloud Scheduler job that starts the cleanup tick workflow"
}

resource "google_pubsub_topic_iam_member" "ticker_publishes" {
  project = var.project_id
  topic   = var.topic_name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.ticker.email}"
}

resource "google_workflows_workflow" "cleanup_tick" {
  project         = var.project_id
  region          = var.region
  name            = "cleanup-tick"
  description     = "Publishes one cleanup.tick event"
  service_account = google_service_account.ticker.id
  source_contents = <<-YAML
    main:
      steps:
        - tick:
            assign:
              - slot: $${int(sys.now() / 300) * 300}
              - id: $${"cleanup-tick-" + string(slot)}
              - event:
                  id: $${id}
                  type: cleanup.tick
                  version: 1
                  occurredAt: $${time.format(sys.now())}
                  data: {}
        - publish:
            call: googleapis.pubsub.v1.projects.topics.publish
            args:
              topic: $${"projects/" + sys.get_env("GOOGLE_CLOUD_PROJECT_ID") + "/topics/${var.topic_name}"}
              body:
                messages:
                  - data: $${base64.encode(json.encode(event))}
                    attributes:
                      type: cleanup.tick
                      id: $${id}
                      version: "1"
  YAML
}

resource "google_project_iam_member" "scheduler_invokes_workflows" {
  project = var.project_id
  role    = "roles/workflows.invoker"
  member  = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_scheduler_job" "cleanup_tick" {
  project     = var.project_id
  region      = var.region
  name        = "cleanup-tick"
  description = "Every 5 minutes: expired sessions, idle workspaces, expired idempotency records."
  schedule    = "*/5 * * * *"
  time_zone   = "Etc/UTC"

  retry_config {
    retry_count = 2
  }

  http_target {
    http_method = "POST"
    uri         = "https://workflowexecutions.googleapis.com/v1/${google_workflows_workflow.cleanup_tick.id}/executions"
    body        = base64encode("{}")
    headers = {
      "Content-Type" = "application/json"
    }
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }
}

output "job_name" {
  value = google_cloud_scheduler_job.cleanup_tick.name
}
