# The workspace cluster: GKE Standard, regional, private nodes, Workload Identity, Dataplane V2 (which enforces the
# workspaces' NetworkPolicies), a small system pool (FoundationDB, the workspace ingress, cert-manager) and a
# workspace pool that scales with the number of running workspaces, down to zero.

resource "google_service_account" "system_nodes" {
  project      = var.project_id
  account_id   = "gke-system-nodes"
  display_name = "Nodes of the workspace cluster's system pool"
}

resource "google_service_account" "workspace_nodes" {
  project      = var.project_id
  account_id   = "gke-workspace-nodes"
  display_name = "Nodes of the workspace cluster's workspace pool"
}

resource "google_project_iam_member" "system_nodes" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer", "roles/autoscaling.metricsWriter"])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.system_nodes.email}"
}

resource "google_project_iam_member" "workspace_nodes" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer", "roles/autoscaling.metricsWriter"])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.workspace_nodes.email}"
}

resource "google_container_cluster" "workspaces" {
  project             = var.project_id
  name                = "workspaces"
  location            = var.region
  network             = var.network_id
  subnetwork          = var.subnetwork_id
  deletion_protection = var.deletion_protection
  resource_labels     = var.labels

  # node pools are managed below
  remove_default_node_pool = true
  initial_node_count       = 1

  release_channel {
    channel = var.release_channel
  }

  datapath_provider = "ADVANCED_DATAPATH" # Dataplane V2: NetworkPolicy enforcement

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false # operators in operator_cidrs use the public endpoint
    master_ipv4_cidr_block  = var.control_plane_cidr
    master_global_access_config {
      enabled = false
    }
  }

  # Only the functions' subnet reaches the control plane (operators use `gcloud container clusters get-credentials
  # --internal-ip` from a bastion, or add their range here for an apply).
  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false
    cidr_blocks {
      cidr_block   = var.functions_cidr
      display_name = "functions"
    }
    dynamic "cidr_blocks" {
      for_each = var.operator_cidrs
      content {
        cidr_block   = cidr_blocks.value
        display_name = "operators"
      }
    }
  }

  addons_config {
    http_load_balancing {
      disabled = false
    }
    gce_persistent_disk_csi_driver_config {
      enabled = true
    }
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]
    managed_prometheus {
      enabled = true
    }
  }

}

resource "google_container_node_pool" "system" {
  project    = var.project_id
  name       = "system"
  location   = var.region
  cluster    = google_container_cluster.workspaces.name
  node_count = var.system_nodes

  node_config {
    machine_type    = var.system_machine_type
    disk_size_gb    = 50
    service_account = google_service_account.system_nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "coditect.ai/pool" = "system" }
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }
}

resource "google_container_node_pool" "workspaces" {
  project  = var.project_id
  name     = "workspaces"
  location = var.region
  cluster  = google_container_cluster.workspaces.name

  autoscaling {
    min_node_count = 0
    max_node_count = var.workspace_nodes_max
  }

  node_config {
    machine_type    = var.workspace_machine_type
    disk_size_gb    = 100
    service_account = google_service_account.workspace_nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = { "coditect.ai/pool" = "workspaces" }
    # GKE_METADATA hides the node's own credentials from pods; the workspace NetworkPolicy also blocks the
    # metadata address outright.
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot = true
    }
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }
}
