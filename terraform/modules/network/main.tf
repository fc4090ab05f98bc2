# The VPC: one subnet for the cluster's nodes (with secondary ranges for pods and services) and one for the
# functions' direct VPC egress. The functions reach FoundationDB at its pod addresses and the cluster's private
# control plane through it; nothing else of the VPC is reachable from them.

variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "cidrs" {
  type = object({
    nodes         = string
    pods          = string
    services      = string
    functions     = string
    control_plane = string
  })
}

resource "google_compute_network" "vpc" {
  project                 = var.project_id
  name                    = "coditect"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "cluster" {
  project                  = var.project_id
  region                   = var.region
  name                     = "cluster"
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.cidrs.nodes
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = var.cidrs.pods
  }

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = var.cidrs.services
  }
}

resource "google_compute_subnetwork" "functions" {
  project                  = var.project_id
  region                   = var.region
  name                     = "functions"
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.cidrs.functions
  private_ip_google_access = true
}

# FoundationDB's processes listen on 4500 (TLS) and 4501; only the functions may open connections to them from
# outside the cluster.
resource "google_compute_firewall" "functions_to_foundationdb" {
  project       = var.project_id
  name          = "functions-to-foundationdb"
  network       = google_compute_network.vpc.id
  direction     = "INGRESS"
  source_ranges = [var.cidrs.functions]
  # pod addresses of the cluster; the FoundationDB pods carry this tag through their nodes
  destination_ranges = [var.cidrs.pods]

  allow {
    protocol = "tcp"
    ports    = ["4500-4501"]
  }
}

# Workspace pods reach the internet (git, package registries) through NAT; nodes have no public addresses.
resource "google_compute_router" "nat" {
  project = var.project_id
  region  = var.region
  name    = "coditect-nat"
  network = google_compute_network.vpc.id
}

resource "google_compute_router_nat" "nat" {
  project                            = var.project_id
  region                             = var.region
  name                               = "coditect-nat"
  router                             = google_compute_router.nat.name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = google_compute_subnetwork.cluster.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

output "network_id" {
  value = google_compute_network.vpc.id
}

output "network_name" {
  value = google_compute_network.vpc.name
}

output "cluster_subnetwork_id" {
  value = google_compute_subnetwork.cluster.id
}

output "functions_subnetwork_id" {
  value = google_compute_subnetwork.functions.id
}

output "functions_cidr" {
  value = var.cidrs.functions
}

output "control_plane_cidr" {
  value = var.cidrs.control_plane
}
