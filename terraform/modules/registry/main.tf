# The Docker repository of the platform's images; Cloud Build pushes there, Cloud Run and the cluster pull.

variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "readers" {
  description = "Service accounts that pull images (the functions' and the cluster nodes')."
  type        = map(string)
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = "coditect"
  format        = "DOCKER"
  description   = "Coditect images: functions, knowledge, sidecar, theia, ci"

  # Keep what a rollback may need: every image still tagged with a release, and the last 20 versions of each.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }

  cleanup_policies {
    id     = "drop-untagged-old"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "2592000s"
    }
  }
}

resource "google_artifact_registry_repository_iam_member" "reader" {
  for_each   = var.readers
  project    = var.project_id
  location   = var.region
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = "serviceAccount:${each.value}"
}

output "repository" {
  description = "<region>-docker.pkg.dev/<project>/coditect"
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}
