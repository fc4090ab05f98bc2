# Topics, their dead-letter topics, and one push subscription per consumer with OIDC to its function, a retry
# policy and dead-lettering. Push subscriptions rather than Eventarc triggers because the subscription an Eventarc
# trigger creates cannot carry a dead-letter policy in Terraform. The consumer functions (PubSubFunction) take the
# push body ({message, subscription, deliveryAttempt}) as HTTP functions: 2xx acks, 4xx refuses an unreadable
# message (dead-lettered after the last attempt), 5xx asks for a retry.

locals {
  consumers = merge([
    for topic, t in var.topics : {
      for name, c in t.consumers : "${topic}-${name}" => merge(c, { topic = topic, name = name })
    }
  ]...)
}

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_pubsub_topic" "topic" {
  for_each                   = var.topics
  project                    = var.project_id
  name                       = each.key
  labels                     = var.labels
  message_retention_duration = "86400s"
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = var.topics
  project  = var.project_id
  name     = "${each.key}-dead-letter"
  labels   = var.labels
}

# Keeps dead letters for inspection (and for replay by hand, see docs/deploy.md).
resource "google_pubsub_subscription" "dead_letter_inspect" {
  for_each                   = var.topics
  project                    = var.project_id
  name                       = "${each.key}-dead-letter-inspect"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

# One identity per subscription, allowed to invoke only its own function.
resource "google_service_account" "push" {
  for_each     = local.consumers
  project      = var.project_id
  account_id   = substr("push-${each.key}", 0, 30)
  display_name = "Pub/Sub push to ${each.value.function} (${each.key})"
}

resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.consumers
  project  = var.project_id
  location = var.region
  name     = var.push_services[each.value.function]
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push[each.key].email}"
}

resource "google_pubsub_subscription" "consumer" {
  for_each                = local.consumers
  project                 = var.project_id
  name                    = each.key
  topic                   = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds    = each.value.ack_deadline_seconds
  enable_message_ordering = each.value.ordered
  labels                  = var.labels

  push_config {
    push_endpoint = var.push_endpoints[each.value.function]
    oidc_token {
      service_account_email = google_service_account.push[each.key].email
      audience              = var.push_endpoints[each.value.function]
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher,
  ]
}

# Dead-lettering works only when the Pub/Sub service agent may publish to the dead-letter topic and acknowledge
# the message on the source subscription; without these, messages are retried for ever instead.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = var.topics
  project  = var.project_id
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.consumers
  project      = var.project_id
  subscription = google_pubsub_subscription.consumer[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# The service agent signs the OIDC tokens of the push subscriptions.
resource "google_service_account_iam_member" "push_token_creator" {
  for_each           = local.consumers
  service_account_id = google_service_account.push[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
