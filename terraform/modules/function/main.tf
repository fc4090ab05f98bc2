# One function: its own service account, a Cloud Run service running the Functions Framework image, and the
# IAM it needs (secret access for exactly the secrets it mounts, metrics and logs; publishing is granted by the
# root module once the topics exist).

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = "fn-${var.name}"
  display_name = "Coditect function ${var.name}"
}

resource "google_cloud_run_v2_service" "function" {
  project             = var.project_id
  location            = var.region
  name                = var.name
  labels              = var.labels
  deletion_protection = false
  # HTTP functions are reached only through the external load balancer (so X-Forwarded-For has a known shape);
  # Pub/Sub push counts as internal traffic for a service of the same project.
  ingress = var.trigger == "http" ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY"

  template {
    service_account                  = google_service_account.function.email
    max_instance_request_concurrency = var.concurrency
    timeout                          = var.timeout
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = var.network
        subnetwork = var.subnetwork
      }
    }

    containers {
      image = var.image

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      env {
        name  = "FUNCTION_TARGET"
        value = var.entry_point
      }

      # Every function is served as HTTP, Pub/Sub consumers too: their push subscriptions POST the plain push
      # body, which a PubSubFunction takes as an HttpFunction (the invoker would refuse it for a CloudEvent).
      env {
        name  = "FUNCTION_SIGNATURE_TYPE"
        value = "http"
      }

      dynamic "env" {
        for_each = var.env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      dynamic "volume_mounts" {
        for_each = var.files
        content {
          name       = volume_mounts.value
          mount_path = volume_mounts.key
        }
      }

      startup_probe {
        tcp_socket {
          port = 8080
        }
        initial_delay_seconds = 0
        period_seconds        = 2
        failure_threshold     = 30
      }
    }

    dynamic "volumes" {
      for_each = var.files
      content {
        name = volumes.value
        secret {
          secret = volumes.value
          items {
            version = "latest"
            path    = lookup(var.file_names, volumes.value, volumes.value)
          }
        }
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  # Releases are rolled out by Cloud Build (cloudbuild.yaml): new revisions with no traffic and a tag, then
  # 10 % -> 50 % -> 100 %. Terraform owns the service's shape, not which revision serves, so it does not undo a
  # rollout in progress or a rollback.
  lifecycle {
    ignore_changes = [
      template[0].containers[0].image,
      template[0].revision,
      traffic,
      client,
      client_version,
    ]
  }

  depends_on = [
    google_secret_manager_secret_iam_member.access,
  ]
}

resource "google_secret_manager_secret_iam_member" "access" {
  for_each  = toset(concat(values(var.secrets), values(var.files)))
  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function.email}"
}

resource "google_project_iam_member" "telemetry" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.function.email}"
}

# Anyone may call an HTTP function (it authenticates requests itself); the ingress setting keeps the callers
# behind the load balancer.
resource "google_cloud_run_v2_service_iam_member" "public" {
  count    = var.trigger == "http" ? 1 : 0
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.function.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
