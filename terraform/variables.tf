variable "project_id" {
  description = "The Google Cloud project everything is created in."
  type        = string
}

variable "region" {
  description = "Region of the functions, the cluster, Pub/Sub push endpoints and Artifact Registry."
  type        = string
  default     = "europe-west1"
}

variable "environment" {
  description = "Environment name (dev, prod): the FoundationDB directory coditect/<environment> and a label on everything."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment is a short lower-case name such as dev or prod."
  }
}

variable "domain" {
  description = "The platform's domain: the web app and /v1/* at https://<domain>, workspaces at https://<user>.ws.<domain>, release candidates at https://candidate.<domain>."
  type        = string
}

variable "dns_zone_name" {
  description = "Name of the existing Cloud DNS managed zone that serves the domain (records and the certificate's DNS challenge go there)."
  type        = string
}

variable "alert_email" {
  description = "Where alerts are sent."
  type        = string
}

variable "acme_email" {
  description = "Contact address for the workspace wildcard certificate's ACME account (Let's Encrypt)."
  type        = string
}

variable "functions_image" {
  description = "The functions image by digest (<registry>/functions@sha256:…). Terraform sets it on create; later releases are rolled out by Cloud Build."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.functions_image))
    error_message = "functions_image must be pinned by digest (…@sha256:<64 hex>), not by tag."
  }
}

variable "knowledge_image" {
  description = "The knowledge functions image by digest (it carries the embedding runtime that the other functions do without)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.knowledge_image))
    error_message = "knowledge_image must be pinned by digest (…@sha256:<64 hex>), not by tag."
  }
}

variable "sidecar_image" {
  description = "The workspace sidecar image by digest; new workspaces start with it (see workspace_image_pin)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.sidecar_image))
    error_message = "sidecar_image must be pinned by digest (…@sha256:<64 hex>), not by tag."
  }
}

variable "theia_image" {
  description = "The Theia image (built from ide/) by digest; new workspaces start with it (see workspace_image_pin)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.theia_image))
    error_message = "theia_image must be pinned by digest (…@sha256:<64 hex>), not by tag."
  }
}

variable "codi2_image" {
  description = "CODI2's image: built elsewhere, referenced here by digest."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.codi2_image))
    error_message = "codi2_image must be pinned by digest (…@sha256:<64 hex>), not by tag."
  }
}

variable "workspace_image_pin" {
  description = "When set, workspaces start with these images instead of the newest ones: the rollback of a workspace image release. Keys: sidecar, theia, codi2."
  type        = map(string)
  default     = {}
}

variable "functions" {
  description = "Per-function overrides of size and scale, keyed by function name (see functions.tf): memory, cpu, concurrency, min_instances, max_instances."
  type        = map(map(string))
  default     = {}
}

variable "gke_release_channel" {
  description = "GKE release channel of the workspace cluster."
  type        = string
  default     = "REGULAR"
}

variable "workspace_machine_type" {
  description = "Machine type of the workspace node pool."
  type        = string
  default     = "e2-standard-8"
}

variable "workspace_nodes_max" {
  description = "Most nodes of the workspace pool per zone (the pool scales down to zero)."
  type        = number
  default     = 10
}

variable "system_machine_type" {
  description = "Machine type of the system pool (FoundationDB, the workspace ingress, cert-manager)."
  type        = string
  default     = "e2-standard-4"
}

variable "system_nodes" {
  description = "Nodes of the system pool per zone."
  type        = number
  default     = 1
}

variable "fdb_version" {
  description = "FoundationDB server version; the functions' client library (the functions image) must match its major.minor."
  type        = string
  default     = "7.3.43"
}

variable "fdb_operator_chart_version" {
  description = "Version of the official fdb-kubernetes-operator Helm chart."
  type        = string
  default     = "1.55.0"
}

variable "fdb_storage_size" {
  description = "Volume of each FoundationDB process."
  type        = string
  default     = "64Gi"
}

variable "fdb_process_resources" {
  description = "Requests and limits of each FoundationDB process's container. The default is prod's: 16 processes (3 storage, 4 log, 9 stateless) on 3 x e2-standard-4; envs/dev sets less."
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  default = {
    requests = { cpu = "500m", memory = "2Gi" }
    limits   = { cpu = "1", memory = "4Gi" }
  }
}

variable "fdb_stateless_processes" {
  description = "FoundationDB's stateless processes: 0 for the operator's default with double redundancy (9), -1 for none (their roles then run in the storage and log processes; envs/dev)."
  type        = number
  default     = 0
  validation {
    condition     = var.fdb_stateless_processes >= -1
    error_message = "fdb_stateless_processes is -1 (none), 0 (the operator's default) or a count."
  }
}

variable "cert_manager_chart_version" {
  description = "Version of the cert-manager Helm chart that issues the workspace wildcard certificate."
  type        = string
  default     = "v1.18.2"
}

variable "network_cidrs" {
  description = "Address ranges of the VPC: nodes, pods, services, the functions' egress and the control plane."
  type = object({
    nodes         = string
    pods          = string
    services      = string
    functions     = string
    control_plane = string
  })
  default = {
    nodes         = "10.10.0.0/20"
    pods          = "10.20.0.0/14"
    services      = "10.30.0.0/20"
    functions     = "10.40.0.0/24"
    control_plane = "172.16.0.0/28"
  }
}

variable "deletion_protection" {
  description = "Protect the cluster and the FoundationDB volumes from terraform destroy (true in prod)."
  type        = bool
  default     = true
}

variable "operator_cidrs" {
  description = "Networks (where terraform and kubectl run) allowed to reach the cluster's control plane."
  type        = list(string)
  default     = []
}

variable "fdb_cluster_file_ready" {
  description = "false on the first apply; true once the FoundationDB operator has created the cluster (docs/deploy.md, step 6)."
  type        = bool
  default     = false
}

variable "workspace_router_image" {
  description = "The workspace ingress router: an unprivileged nginx by digest, e.g. nginxinc/nginx-unprivileged:1.29-alpine resolved to its @sha256 digest."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.workspace_router_image))
    error_message = "workspace_router_image must be pinned by digest."
  }
}
