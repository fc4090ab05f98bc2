variable "project_id" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west1"
}

variable "domain" {
  type = string
}

variable "dns_zone_name" {
  type = string
}

variable "alert_email" {
  type = string
}

variable "acme_email" {
  type = string
}

variable "operator_cidrs" {
  type    = list(string)
  default = []
}

variable "functions_image" {
  type = string
}

variable "knowledge_image" {
  type = string
}

variable "sidecar_image" {
  type = string
}

variable "theia_image" {
  type = string
}

variable "codi2_image" {
  type = string
}

variable "workspace_router_image" {
  type = string
}

variable "workspace_image_pin" {
  type    = map(string)
  default = {}
}

variable "fdb_cluster_file_ready" {
  type    = bool
  default = false
}
