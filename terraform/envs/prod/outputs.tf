output "platform_url" {
  value = module.platform.platform_url
}

output "candidate_url" {
  value = module.platform.candidate_url
}

output "image_repository" {
  value = module.platform.image_repository
}

output "web_bucket" {
  value = module.platform.web_bucket
}

output "workspace_ingress_address" {
  value = module.platform.workspace_ingress_address
}
