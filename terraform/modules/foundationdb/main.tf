# FoundationDB on the workspace cluster through the official FoundationDB Kubernetes operator: the operator's Helm
# release and one FoundationDBCluster with three storage processes and double redundancy. The operator keeps the
# cluster file in the ConfigMap <cluster>-config; it is copied into Secret Manager, from where the functions mount
# it at /etc/foundationdb/fdb.cluster. The functions reach the processes at their pod addresses through their
# direct VPC egress (network module: the firewall rule for ports 4500-4501).

variable "project_id" {
  type = string
}

variable "fdb_version" {
  type = string
}

variable "operator_chart_version" {
  type = string
}

variable "storage_size" {
  type = string
}

variable "process_resources" {
  description = "Requests and limits of the container each FoundationDB process runs in (one process per pod; every process class)."
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
}

variable "stateless_processes" {
  description = "Stateless processes (master, cluster controller, proxies, resolver, ratekeeper, data distributor): 0 for the operator's default with double redundancy (9), -1 for none, so that those roles run in the storage and log processes."
  type        = number
}

variable "cluster_file_secret" {
  description = "Secret Manager secret id the functions mount the cluster file from."
  type        = string
}

variable "cluster_file_ready" {
  description = "Set to true once the operator has reconciled the cluster (second apply): the cluster file is then copied to Secret Manager."
  type        = bool
}

locals {
  namespace = "foundationdb"
  name      = "coditect"
}

resource "kubernetes_namespace_v1" "fdb" {
  metadata {
    name = local.namespace
    labels = {
      "app.kubernetes.io/part-of" = "coditect"
    }
  }
}

resource "helm_release" "operator" {
  name       = "fdb-operator"
  namespace  = kubernetes_namespace_v1.fdb.metadata[0].name
  repository = "https://foundationdb.github.io/fdb-kubernetes-operator/"
  chart      = "fdb-operator"
  version    = var.operator_chart_version
  # the chart installs the CRDs (FoundationDBCluster, backups, restores)
  skip_crds = false
  wait      = true

  values = [yamlencode({
    globalMode   = { enabled = false }
    nodeSelector = { "coditect.ai/pool" = "system" }
    resources = {
      requests = { cpu = "100m", memory = "256Mi" }
      limits   = { cpu = "500m", memory = "512Mi" }
    }
  })]
}

resource "kubernetes_manifest" "cluster" {
  manifest = {
    apiVersion = "apps.foundationdb.org/v1beta2"
    kind       = "FoundationDBCluster"
    metadata = {
      name      = local.name
      namespace = kubernetes_namespace_v1.fdb.metadata[0].name
    }
    spec = {
      version = var.fdb_version
      databaseConfiguration = {
        redundancy_mode = "double"
        storage_engine  = "ssd-redwood-1"
      }
      # three storage processes as the plan's cluster; log processes at the operator's default for double
      # redundancy (3 logs + 1 spare = 4); stateless processes per environment (0: the operator's default, 9)
      processCounts = {
        storage   = 3
        stateless = var.stateless_processes
      }
      automationOptions = {
        replacements = { enabled = true }
      }
      routing = {
        # pod addresses are routable in the VPC (VPC-native cluster), which is how the functions reach them
        publicIPSource = "pod"
      }
      processes = {
        general = {
          volumeClaimTemplate = {
            spec = {
              storageClassName = "premium-rwo"
              resources        = { requests = { storage = var.storage_size } }
            }
          }
          podTemplate = {
            spec = {
              nodeSelector = { "coditect.ai/pool" = "system" }
              # the operator completes the containers it finds here by name; their sizes are what the system pool
              # must hold (docs/deploy.md, "What it costs per month")
              containers = [
                {
                  name            = "foundationdb"
                  resources       = var.process_resources
                  securityContext = { runAsUser = 4059, runAsGroup = 4059 }
                },
                {
                  name = "foundationdb-kubernetes-sidecar"
                  resources = {
                    requests = { cpu = "50m", memory = "128Mi" }
                    limits   = { cpu = "500m", memory = "256Mi" }
                  }
                },
              ]
            }
          }
        }
      }
    }
  }

  wait {
    fields = {
      "status.health.available" = "true"
    }
  }

  timeouts {
    create = "30m"
  }

  depends_on = [helm_release.operator]
}

data "kubernetes_config_map_v1" "cluster_file" {
  count = var.cluster_file_ready ? 1 : 0
  metadata {
    name      = "${local.name}-config"
    namespace = local.namespace
  }
  depends_on = [kubernetes_manifest.cluster]
}

resource "google_secret_manager_secret" "cluster_file" {
  project   = var.project_id
  secret_id = var.cluster_file_secret
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "cluster_file" {
  count       = var.cluster_file_ready ? 1 : 0
  secret      = google_secret_manager_secret.cluster_file.id
  secret_data = data.kubernetes_config_map_v1.cluster_file[0].data["cluster-file"]
}

output "cluster_file_secret" {
  value = google_secret_manager_secret.cluster_file.secret_id
}
