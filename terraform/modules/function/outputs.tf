output "service_name" {
  value = google_cloud_run_v2_service.function.name
}

output "uri" {
  value = google_cloud_run_v2_service.function.uri
}

output "service_account_email" {
  value = google_service_account.function.email
}
