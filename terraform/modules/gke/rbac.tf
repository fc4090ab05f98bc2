# What the provisioner may do in the cluster: exactly the object kinds and verbs that KubernetesWorkspaces uses,
# no more. ./coditect test derives the kinds and verbs from the provisioner's code and fails when a rule is missing
# or one grants more than the code uses. Namespaces are cluster-scoped and every workspace has its own, so this is
# a ClusterRole bound cluster-wide.
resource "kubernetes_cluster_role_v1" "provisioner" {
  metadata {
    name = "coditect-provisioner"
  }

  rule {
    api_groups = [""]
    resources  = ["namespaces"]
    verbs      = ["create", "delete"]
  }

  rule {
    api_groups = [""]
    resources  = ["resourcequotas", "limitranges", "persistentvolumeclaims"]
    verbs      = ["create"]
  }

  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["create", "get"]
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["create", "get", "delete"]
  }

  rule {
    api_groups = [""]
    resources  = ["services"]
    verbs      = ["create", "delete"]
  }

  rule {
    api_groups = ["networking.k8s.io"]
    resources  = ["networkpolicies"]
    verbs      = ["create"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "provisioner" {
  metadata {
    name = "coditect-provisioner"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.provisioner.metadata[0].name
  }

  dynamic "subject" {
    for_each = toset(var.provisioners)
    content {
      api_group = "rbac.authorization.k8s.io"
      kind      = "User"
      name      = subject.value
    }
  }
}

# What a function that only shows workspaces may do: read a workspace's pod (WorkspaceBackend.podState, which the
# workspaces function calls to bring a record up to date). The internet-facing workspaces function holds this, not
# the provisioner's role; ./coditect test records podState's calls and compares them with these rules.
resource "kubernetes_cluster_role_v1" "workspace_reader" {
  metadata {
    name = "coditect-workspace-reader"
  }

  rule {
    api_groups = [""]
    resources  = ["pods"]
    verbs      = ["get"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "workspace_reader" {
  metadata {
    name = "coditect-workspace-reader"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.workspace_reader.metadata[0].name
  }

  dynamic "subject" {
    for_each = toset(var.workspace_readers)
    content {
      api_group = "rbac.authorization.k8s.io"
      kind      = "User"
      name      = subject.value
    }
  }
}

# The functions' kubeconfig: the private endpoint and its CA, and the "gcp" auth provider, with which the official
# Java client takes an access token from the function's own credentials (no long-lived cluster token anywhere).
resource "google_secret_manager_secret" "kubeconfig" {
  project   = var.project_id
  secret_id = "workspace-cluster-kubeconfig"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "kubeconfig" {
  secret = google_secret_manager_secret.kubeconfig.id
  secret_data = yamlencode({
    apiVersion      = "v1"
    kind            = "Config"
    current-context = "workspaces"
    clusters = [{
      name = "workspaces"
      cluster = {
        server                     = "https://${google_container_cluster.workspaces.private_cluster_config[0].private_endpoint}"
        certificate-authority-data = google_container_cluster.workspaces.master_auth[0].cluster_ca_certificate
      }
    }]
    contexts = [{
      name    = "workspaces"
      context = { cluster = "workspaces", user = "function" }
    }]
    users = [{
      name = "function"
      user = {
        auth-provider = {
          name   = "gcp"
          config = { scopes = "https://www.googleapis.com/auth/cloud-platform" }
        }
      }
    }]
  })
}
