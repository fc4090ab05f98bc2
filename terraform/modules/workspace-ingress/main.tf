# The ingress for *.ws.<domain>: an nginx router in the namespace the workspaces' NetworkPolicy admits
# (workspace-ingress; the provisioner's CODITECT_INGRESS_NAMESPACE), behind a regional TCP load balancer on a
# static address. It terminates TLS with a wildcard certificate from cert-manager (Let's Encrypt, DNS-01 on Cloud
# DNS) and sends <user>.ws.<domain> to the Service "workspace" in the namespace ws-<user>: the workspace URL
# template is https://{user}.ws.<domain>/, so no per-workspace ingress object is needed.

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

variable "acme_email" {
  type = string
}

variable "cert_manager_chart_version" {
  type = string
}

variable "router_image" {
  description = "An unprivileged nginx image by digest (e.g. nginxinc/nginx-unprivileged@sha256:…)."
  type        = string
}

locals {
  namespace     = "workspace-ingress"
  host_suffix   = "ws.${var.domain}"
  wildcard_cert = "workspaces-wildcard"
}

resource "google_compute_address" "router" {
  project      = var.project_id
  region       = var.region
  name         = "workspace-ingress"
  address_type = "EXTERNAL"
}

data "google_dns_managed_zone" "zone" {
  project = var.project_id
  name    = var.dns_zone_name
}

resource "google_dns_record_set" "workspaces" {
  project      = var.project_id
  managed_zone = data.google_dns_managed_zone.zone.name
  name         = "*.${local.host_suffix}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_address.router.address]
}

# cert-manager answers the DNS-01 challenge as its own Google identity (Workload Identity), allowed to change DNS.
resource "google_service_account" "cert_manager" {
  project      = var.project_id
  account_id   = "cert-manager-dns"
  display_name = "cert-manager DNS-01 solver for the workspace certificate"
}

resource "google_project_iam_member" "cert_manager_dns" {
  project = var.project_id
  role    = "roles/dns.admin"
  member  = "serviceAccount:${google_service_account.cert_manager.email}"
}

resource "google_service_account_iam_member" "cert_manager_workload_identity" {
  service_account_id = google_service_account.cert_manager.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[cert-manager/cert-manager]"
}

resource "helm_release" "cert_manager" {
  name             = "cert-manager"
  namespace        = "cert-manager"
  create_namespace = true
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = var.cert_manager_chart_version
  wait             = true

  values = [yamlencode({
    crds         = { enabled = true }
    nodeSelector = { "coditect.ai/pool" = "system" }
    serviceAccount = {
      annotations = { "iam.gke.io/gcp-service-account" = google_service_account.cert_manager.email }
    }
  })]
}

resource "kubernetes_manifest" "issuer" {
  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "ClusterIssuer"
    metadata   = { name = "letsencrypt-dns" }
    spec = {
      acme = {
        email               = var.acme_email
        server              = "https://acme-v02.api.letsencrypt.org/directory"
        privateKeySecretRef = { name = "letsencrypt-dns-account" }
        solvers = [{
          dns01 = { cloudDNS = { project = var.project_id } }
        }]
      }
    }
  }
  depends_on = [helm_release.cert_manager]
}

resource "kubernetes_namespace_v1" "ingress" {
  metadata {
    name = local.namespace
    labels = {
      "app.kubernetes.io/part-of" = "coditect"
    }
  }
}

resource "kubernetes_manifest" "wildcard" {
  manifest = {
    apiVersion = "cert-manager.io/v1"
    kind       = "Certificate"
    metadata   = { name = local.wildcard_cert, namespace = local.namespace }
    spec = {
      secretName = local.wildcard_cert
      dnsNames   = ["*.${local.host_suffix}"]
      issuerRef  = { kind = "ClusterIssuer", name = "letsencrypt-dns" }
    }
  }
  depends_on = [kubernetes_manifest.issuer, kubernetes_namespace_v1.ingress]
}

resource "kubernetes_config_map_v1" "router" {
  metadata {
    name      = "workspace-router"
    namespace = local.namespace
  }
  data = {
    "default.conf" = <<-NGINX
      resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;
      map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
      }
      server {
        listen 8443 ssl;
        http2 on;
        server_name ~^(?<user>[a-z0-9]{1,63})\.${replace(local.host_suffix, ".", "\\.")}$;
        ssl_certificate     /etc/tls/tls.crt;
        ssl_certificate_key /etc/tls/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        client_max_body_size 256m;
        location / {
          proxy_pass http://workspace.ws-$user.svc.cluster.local:80;
          proxy_http_version 1.1;
          proxy_set_header Upgrade $http_upgrade;
          proxy_set_header Connection $connection_upgrade;
          proxy_set_header Host $host;
          proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
          proxy_set_header X-Forwarded-Proto https;
          proxy_read_timeout 3600s;
          proxy_send_timeout 3600s;
          proxy_buffering off;
        }
      }
      server {
        listen 8443 ssl default_server;
        ssl_certificate     /etc/tls/tls.crt;
        ssl_certificate_key /etc/tls/tls.key;
        return 404;
      }
    NGINX
  }
}

resource "kubernetes_deployment_v1" "router" {
  metadata {
    name      = "workspace-router"
    namespace = local.namespace
    labels    = { app = "workspace-router" }
  }
  spec {
    replicas = 2
    selector {
      match_labels = { app = "workspace-router" }
    }
    template {
      metadata {
        labels = { app = "workspace-router" }
      }
      spec {
        automount_service_account_token = false
        node_selector                   = { "coditect.ai/pool" = "system" }
        security_context {
          run_as_non_root = true
          run_as_user     = 101
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }
        container {
          name  = "nginx"
          image = var.router_image
          port {
            container_port = 8443
          }
          resources {
            requests = { cpu = "100m", memory = "64Mi" }
            limits   = { cpu = "1", memory = "256Mi" }
          }
          security_context {
            allow_privilege_escalation = false
            capabilities {
              drop = ["ALL"]
            }
          }
          readiness_probe {
            tcp_socket {
              port = 8443
            }
          }
          volume_mount {
            name       = "config"
            mount_path = "/etc/nginx/conf.d"
          }
          volume_mount {
            name       = "tls"
            mount_path = "/etc/tls"
            read_only  = true
          }
        }
        volume {
          name = "config"
          config_map {
            name = kubernetes_config_map_v1.router.metadata[0].name
          }
        }
        volume {
          name = "tls"
          secret {
            secret_name = local.wildcard_cert
          }
        }
      }
    }
  }
  depends_on = [kubernetes_manifest.wildcard]
}

resource "kubernetes_service_v1" "router" {
  metadata {
    name      = "workspace-router"
    namespace = local.namespace
    annotations = {
      "cloud.google.com/l4-rbs" = "enabled"
    }
  }
  spec {
    type                    = "LoadBalancer"
    load_balancer_ip        = google_compute_address.router.address
    external_traffic_policy = "Local"
    selector                = { app = "workspace-router" }
    port {
      name        = "https"
      port        = 443
      target_port = 8443
    }
  }
}

output "address" {
  value = google_compute_address.router.address
}

output "namespace" {
  value = local.namespace
}
