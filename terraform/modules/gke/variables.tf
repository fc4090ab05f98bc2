variable "project_id" {
  type = string
}

variable "region" {
  type = string
}

variable "network_id" {
  type = string
}

variable "subnetwork_id" {
  type = string
}

variable "control_plane_cidr" {
  type = string
}

variable "functions_cidr" {
  description = "The functions' egress range: the only network allowed to reach the private control plane."
  type        = string
}

variable "release_channel" {
  type = string
}

variable "workspace_machine_type" {
  type = string
}

variable "workspace_nodes_max" {
  type = number
}

variable "system_machine_type" {
  type = string
}

variable "system_nodes" {
  type = number
}

variable "provisioners" {
  description = "Service account emails of the functions that create, read and delete workspaces."
  type        = list(string)
}

variable "workspace_readers" {
  description = "Service account emails of the functions that only read a workspace's pod."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  type = bool
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "operator_cidrs" {
  description = "Networks allowed to reach the control plane besides the functions (where terraform and kubectl run)."
  type        = list(string)
}
