# Provider versions are pinned exactly: a plan made today and one made next month install the same providers,
# and an upgrade is a reviewed change of this file.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "= 6.47.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "= 6.47.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "= 2.38.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "= 2.17.0"
    }
  }
}
