output "platform_url" {
  description = "The web app and the API."
  value       = "https://${var.domain}"
}

output "candidate_url" {
  description = "Where a release's new revisions answer before they get traffic (the smoke tests' target)."
  value       = "https://candidate.${var.domain}"
}

output "load_balancer_address" {
  value = module.web.address
}

output "workspace_ingress_address" {
  description = "*.ws.<domain> points here."
  value       = module.workspace_ingress.address
}

output "image_repository" {
  value = module.registry.repository
}

output "web_bucket" {
  value = module.web.bucket
}

output "functions" {
  description = "Function name -> Cloud Run service URL."
  value       = { for name, f in module.function : name => f.uri }
}

output "cluster_name" {
  value = module.gke.cluster_name
}

output "subscriptions" {
  value = module.pubsub.subscriptions
}

output "deployer_service_account" {
  description = "The service account of the Cloud Build trigger."
  value       = google_service_account.deployer.email
}
