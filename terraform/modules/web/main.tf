# The web app and the API behind one HTTPS load balancer with a Google-managed certificate:
#   https://<domain>/v1/*, /.well-known/jwks.json -> the HTTP functions (serverless NEGs), by path;
#   https://<domain>/ everything else              -> the web app's static files (Cloud Storage, Cloud CDN);
#   https://candidate.<domain>/…                   -> the same paths on each function's "candidate" revision tag,
#                                                     which is where a release is smoke-tested before any traffic.

variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "domain" {
  type = string
}

variable "dns_zone_name" {
  type = string
}

variable "http_functions" {
  description = "Function name -> { service = Cloud Run service name, paths = URL paths it serves }."
  type = map(object({
    service = string
    paths   = list(string)
  }))
}

locals {
  candidate_host = "candidate.${var.domain}"
}

resource "google_storage_bucket" "web" {
  project                     = var.project_id
  name                        = "${var.project_id}-web"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"

  website {
    main_page_suffix = "index.html"
    not_found_page   = "index.html" # the app routes its own paths
  }

  versioning {
    enabled = true
  }
}

resource "google_storage_bucket_iam_member" "public_read" {
  bucket = google_storage_bucket.web.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_backend_bucket" "web" {
  project     = var.project_id
  name        = "web"
  bucket_name = google_storage_bucket.web.name
  enable_cdn  = true
  cdn_policy {
    cache_mode  = "CACHE_ALL_STATIC"
    default_ttl = 3600
  }
}

resource "google_compute_region_network_endpoint_group" "stable" {
  for_each              = var.http_functions
  project               = var.project_id
  region                = var.region
  name                  = "fn-${each.key}"
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = each.value.service
  }
}

resource "google_compute_region_network_endpoint_group" "candidate" {
  for_each              = var.http_functions
  project               = var.project_id
  region                = var.region
  name                  = "fn-${each.key}-candidate"
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = each.value.service
    tag     = "candidate"
  }
}

resource "google_compute_backend_service" "stable" {
  for_each              = var.http_functions
  project               = var.project_id
  name                  = "fn-${each.key}"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  backend {
    group = google_compute_region_network_endpoint_group.stable[each.key].id
  }
  log_config {
    enable      = true
    sample_rate = 1.0
  }
}

resource "google_compute_backend_service" "candidate" {
  for_each              = var.http_functions
  project               = var.project_id
  name                  = "fn-${each.key}-candidate"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  backend {
    group = google_compute_region_network_endpoint_group.candidate[each.key].id
  }
  log_config {
    enable      = true
    sample_rate = 1.0
  }
}

resource "google_compute_url_map" "https" {
  project         = var.project_id
  name            = "coditect"
  default_service = google_compute_backend_bucket.web.id

  host_rule {
    hosts        = [var.domain]
    path_matcher = "platform"
  }

  host_rule {
    hosts        = [local.candidate_host]
    path_matcher = "candidate"
  }

  path_matcher {
    name            = "platform"
    default_service = google_compute_backend_bucket.web.id
    dynamic "path_rule" {
      for_each = var.http_functions
      content {
        paths   = path_rule.value.paths
        service = google_compute_backend_service.stable[path_rule.key].id
      }
    }
  }

  path_matcher {
    name            = "candidate"
    default_service = google_compute_backend_bucket.web.id
    dynamic "path_rule" {
      for_each = var.http_functions
      content {
        paths   = path_rule.value.paths
        service = google_compute_backend_service.candidate[path_rule.key].id
      }
    }
  }
}

resource "google_compute_managed_ssl_certificate" "platform" {
  project = var.project_id
  name    = "coditect"
  managed {
    domains = [var.domain, local.candidate_host]
  }
}

resource "google_compute_global_address" "platform" {
  project = var.project_id
  name    = "coditect"
}

resource "google_compute_target_https_proxy" "platform" {
  project          = var.project_id
  name             = "coditect"
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.platform.id]
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "coditect-https"
  target                = google_compute_target_https_proxy.platform.id
  ip_address            = google_compute_global_address.platform.address
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

resource "google_compute_url_map" "redirect" {
  project = var.project_id
  name    = "coditect-http-redirect"
  default_url_redirect {
    https_redirect         = true
    strip_query            = false
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  project = var.project_id
  name    = "coditect-http-redirect"
  url_map = google_compute_url_map.redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "coditect-http"
  target                = google_compute_target_http_proxy.redirect.id
  ip_address            = google_compute_global_address.platform.address
  port_range            = "80"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

data "google_dns_managed_zone" "zone" {
  project = var.project_id
  name    = var.dns_zone_name
}

resource "google_dns_record_set" "platform" {
  for_each     = toset([var.domain, local.candidate_host])
  project      = var.project_id
  managed_zone = data.google_dns_managed_zone.zone.name
  name         = "${each.value}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.platform.address]
}

output "bucket" {
  value = google_storage_bucket.web.name
}

output "address" {
  value = google_compute_global_address.platform.address
}

output "url_map" {
  value = google_compute_url_map.https.name
}
