# The dev environment: providers, state, and the platform module with this environment's settings.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  backend "gcs" {
    # bucket is given at init: terraform init -backend-config="bucket=<project>-tfstate"
    prefix = "coditect/dev"
  }

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "= 6.47.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "= 6.47.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "= 2.38.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "= 2.17.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

# The cluster is created by this same configuration: the first apply targets it alone (docs/deploy.md, step 5).
data "google_container_cluster" "workspaces" {
  project  = var.project_id
  location = var.region
  name     = "workspaces"
}

provider "kubernetes" {
  host                   = "https://${data.google_container_cluster.workspaces.endpoint}"
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = base64decode(data.google_container_cluster.workspaces.master_auth[0].cluster_ca_certificate)
}

provider "helm" {
  kubernetes {
    host                   = "https://${data.google_container_cluster.workspaces.endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(data.google_container_cluster.workspaces.master_auth[0].cluster_ca_certificate)
  }
}

module "platform" {
  source = "../.."

  project_id             = var.project_id
  region                 = var.region
  environment            = "dev"
  domain                 = var.domain
  dns_zone_name          = var.dns_zone_name
  alert_email            = var.alert_email
  acme_email             = var.acme_email
  operator_cidrs         = var.operator_cidrs
  functions_image        = var.functions_image
  knowledge_image        = var.knowledge_image
  sidecar_image          = var.sidecar_image
  theia_image            = var.theia_image
  codi2_image            = var.codi2_image
  workspace_router_image = var.workspace_router_image
  workspace_image_pin    = var.workspace_image_pin
  fdb_cluster_file_ready = var.fdb_cluster_file_ready

  # small and cheap: one system node per zone on a smaller machine, workspaces on e2-standard-4, no minimum
  # instances (the first request after idle waits for a cold start), and destroyable
  system_machine_type    = "e2-standard-2"
  workspace_machine_type = "e2-standard-4"
  workspace_nodes_max    = 2
  fdb_storage_size       = "16Gi"
  # FoundationDB within 3 x e2-standard-2 (about 1.9 vCPU and 6 GiB allocatable each): 7 processes (3 storage,
  # 4 log; the stateless roles run among them) at 250m / 1 GiB, plus 50m / 128 MiB for each pod's sidecar
  fdb_stateless_processes = -1
  fdb_process_resources = {
    requests = { cpu = "250m", memory = "1Gi" }
    limits   = { cpu = "1", memory = "2Gi" }
  }
  deletion_protection = false
  functions = {
    auth = { min_instances = "0" }
    jwks = { min_instances = "0" }
  }
}
