output "cluster_name" {
  value = google_container_cluster.workspaces.name
}

output "endpoint" {
  value = google_container_cluster.workspaces.endpoint
}

output "ca_certificate" {
  value = google_container_cluster.workspaces.master_auth[0].cluster_ca_certificate
}

output "node_service_accounts" {
  value = {
    system     = google_service_account.system_nodes.email
    workspaces = google_service_account.workspace_nodes.email
  }
}

output "kubeconfig_secret" {
  value = google_secret_manager_secret.kubeconfig.secret_id
}
