variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "name" {
  description = "The function's name; also its Cloud Run service and service account."
  type        = string
}

variable "entry_point" {
  description = "The class the Functions Framework invoker runs (FUNCTION_TARGET)."
  type        = string
}

variable "trigger" {
  description = "http (behind the load balancer) or pubsub (push subscriptions only; served as HTTP too)."
  type        = string

  validation {
    condition     = contains(["http", "pubsub"], var.trigger)
    error_message = "trigger is http or pubsub."
  }
}

variable "image" {
  description = "Image by digest; used on create only, releases come from Cloud Build."
  type        = string
}

variable "env" {
  type    = map(string)
  default = {}
}

variable "secrets" {
  description = "Environment variable -> Secret Manager secret id (latest version)."
  type        = map(string)
  default     = {}
}

variable "files" {
  description = "Mount path -> Secret Manager secret id, mounted read-only as a directory with one file."
  type        = map(string)
  default     = {}
}

variable "file_names" {
  description = "Secret id -> file name inside its mount directory."
  type        = map(string)
  default     = {}
}

variable "memory" {
  type = string
}

variable "cpu" {
  type = string
}

variable "concurrency" {
  type = number
}

variable "min_instances" {
  type = number
}

variable "max_instances" {
  type = number
}

variable "timeout" {
  type = string
}

variable "subnetwork" {
  description = "Subnetwork of the functions' direct VPC egress (the path to FoundationDB and the cluster's control plane)."
  type        = string
}

variable "network" {
  type = string
}

variable "labels" {
  type    = map(string)
  default = {}
}
