# Coditect on Google Cloud: from an empty project to a running platform (docs/deploy.md walks through it).
# The functions and the topics are declared in functions.tf and topics.tf; the modules below build the rest.

locals {
  labels = {
    app         = "coditect"
    environment = var.environment
  }

  http_functions   = { for name, f in local.functions : name => f if f.trigger == "http" }
  pubsub_functions = { for name, f in local.functions : name => f if f.trigger == "pubsub" }
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
    "workflowexecutions.googleapis.com",
    "workflows.googleapis.com",
    "aiplatform.googleapis.com",
  ])
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "network" {
  source     = "./modules/network"
  project_id = var.project_id
  region     = var.region
  cidrs      = var.network_cidrs
  depends_on = [google_project_service.apis]
}

# The signing keys: a private JWK set (docs/deploy.md: "Signing keys"). Terraform creates the secret; its
# versions are added by hand, so the private keys never pass through Terraform state.
resource "google_secret_manager_secret" "signing_keys" {
  project   = var.project_id
  secret_id = "signing-keys"
  labels    = local.labels
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

# The public half of the signing keys, as /.well-known/jwks.json serves it: what every function that only verifies
# tokens reads (CODITECT_PUBLIC_KEYS), so that none but auth holds a private key. A version is added with each
# version of signing-keys (docs/deploy.md: "Rotating the signing keys").
resource "google_secret_manager_secret" "public_keys" {
  project   = var.project_id
  secret_id = "signing-keys-public"
  labels    = local.labels
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}

module "function" {
  source   = "./modules/function"
  for_each = local.functions

  project_id    = var.project_id
  region        = var.region
  name          = each.key
  entry_point   = each.value.entry_point
  trigger       = each.value.trigger
  image         = local.function_images[each.value.image]
  env           = each.value.env
  secrets       = each.value.secrets
  files         = each.value.files
  file_names    = { "fdb-cluster-file" = "fdb.cluster", "workspace-cluster-kubeconfig" = "config" }
  memory        = lookup(lookup(var.functions, each.key, {}), "memory", each.value.memory)
  cpu           = lookup(lookup(var.functions, each.key, {}), "cpu", each.value.cpu)
  concurrency   = tonumber(lookup(lookup(var.functions, each.key, {}), "concurrency", each.value.concurrency))
  min_instances = tonumber(lookup(lookup(var.functions, each.key, {}), "min_instances", each.value.min_instances))
  max_instances = tonumber(lookup(lookup(var.functions, each.key, {}), "max_instances", each.value.max_instances))
  timeout       = each.value.timeout
  network       = module.network.network_id
  subnetwork    = module.network.functions_subnetwork_id
  labels        = local.labels

  depends_on = [
    google_secret_manager_secret.signing_keys,
    module.foundationdb,
    module.gke,
  ]
}

module "pubsub" {
  source                = "./modules/pubsub"
  project_id            = var.project_id
  region                = var.region
  topics                = local.topics
  push_endpoints        = { for name, f in local.pubsub_functions : name => module.function[name].uri }
  push_services         = { for name, f in local.pubsub_functions : name => module.function[name].service_name }
  max_delivery_attempts = local.max_delivery_attempts
  labels                = local.labels
  depends_on            = [google_project_service.apis]
}

# Each function may publish to exactly the topics it names.
resource "google_pubsub_topic_iam_member" "publish" {
  for_each = merge([
    for name, f in local.functions : { for topic in f.publishes : "${name}/${topic}" => { function = name, topic = topic } }
  ]...)
  project = var.project_id
  topic   = module.pubsub.topic_names[each.value.topic]
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${module.function[each.value.function].service_account_email}"
}

module "scheduler" {
  source     = "./modules/scheduler"
  project_id = var.project_id
  region     = var.region
  topic_name = module.pubsub.topic_names["cleanup-ticks"]
}

module "gke" {
  source                 = "./modules/gke"
  project_id             = var.project_id
  region                 = var.region
  network_id             = module.network.network_id
  subnetwork_id          = module.network.cluster_subnetwork_id
  control_plane_cidr     = module.network.control_plane_cidr
  functions_cidr         = module.network.functions_cidr
  operator_cidrs         = var.operator_cidrs
  release_channel        = var.gke_release_channel
  workspace_machine_type = var.workspace_machine_type
  workspace_nodes_max    = var.workspace_nodes_max
  system_machine_type    = var.system_machine_type
  system_nodes           = var.system_nodes
  provisioners           = [for name, f in local.functions : "fn-${name}@${var.project_id}.iam.gserviceaccount.com" if f.kubernetes == "provision"]
  workspace_readers      = [for name, f in local.functions : "fn-${name}@${var.project_id}.iam.gserviceaccount.com" if f.kubernetes == "read"]
  deletion_protection    = var.deletion_protection
  labels                 = local.labels
  depends_on             = [google_project_service.apis]
}

# The functions that use the cluster authenticate as themselves (Google identities): this lets them fetch the
# cluster's endpoint, and RBAC (modules/gke/rbac.tf) decides what they may do inside.
resource "google_project_iam_member" "cluster_access" {
  for_each = toset([for name, f in local.functions : name if f.kubernetes != "none"])
  project  = var.project_id
  role     = "roles/container.clusterViewer"
  member   = "serviceAccount:${module.function[each.value].service_account_email}"
}

module "foundationdb" {
  source                 = "./modules/foundationdb"
  project_id             = var.project_id
  fdb_version            = var.fdb_version
  operator_chart_version = var.fdb_operator_chart_version
  storage_size           = var.fdb_storage_size
  process_resources      = var.fdb_process_resources
  stateless_processes    = var.fdb_stateless_processes
  cluster_file_secret    = "fdb-cluster-file"
  cluster_file_ready     = var.fdb_cluster_file_ready
  depends_on             = [module.gke]
}

module "workspace_ingress" {
  source                     = "./modules/workspace-ingress"
  project_id                 = var.project_id
  region                     = var.region
  domain                     = var.domain
  dns_zone_name              = var.dns_zone_name
  acme_email                 = var.acme_email
  cert_manager_chart_version = var.cert_manager_chart_version
  router_image               = var.workspace_router_image
  depends_on                 = [module.gke]
}

module "registry" {
  source     = "./modules/registry"
  project_id = var.project_id
  region     = var.region
  # Cloud Run pulls with its own service agent, which may read the project's repositories; the cluster's nodes
  # need a grant.
  readers    = { for pool, email in module.gke.node_service_accounts : "nodes-${pool}" => email }
  depends_on = [google_project_service.apis]
}

module "web" {
  source         = "./modules/web"
  project_id     = var.project_id
  region         = var.region
  domain         = var.domain
  dns_zone_name  = var.dns_zone_name
  http_functions = { for name, f in local.http_functions : name => { service = module.function[name].service_name, paths = f.paths } }
}

module "monitoring" {
  source                    = "./modules/monitoring"
  project_id                = var.project_id
  alert_email               = var.alert_email
  dead_letter_subscriptions = [for id, t in local.topics : "${id}-dead-letter-inspect"]
  depends_on                = [google_project_service.apis]
}

# The knowledge base's backups (export and import of a tenant's knowledge).
resource "google_storage_bucket" "knowledge" {
  project                     = var.project_id
  name                        = "${var.project_id}-knowledge"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
}

resource "google_storage_bucket_iam_member" "knowledge" {
  for_each = toset([for name, f in local.functions : name if f.image == "knowledge"])
  bucket   = google_storage_bucket.knowledge.name
  role     = "roles/storage.objectAdmin"
  member   = "serviceAccount:${module.function[each.value].service_account_email}"
}

# Vertex AI embeddings for the knowledge functions.
resource "google_project_iam_member" "knowledge_embeddings" {
  for_each = toset([for name, f in local.functions : name if f.image == "knowledge"])
  project  = var.project_id
  role     = "roles/aiplatform.user"
  member   = "serviceAccount:${module.function[each.value].service_account_email}"
}

# The identity Cloud Build releases with (cloudbuild.yaml): deploys new revisions and moves traffic, pushes images,
# reads the metrics the rollout is judged by, and writes the web app's files and the release record.
resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = "deployer"
  display_name = "Cloud Build releases"
}

resource "google_project_iam_member" "deployer" {
  for_each = toset([
    "roles/run.developer",
    "roles/artifactregistry.writer",
    "roles/monitoring.viewer",
    "roles/logging.logWriter",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

# Deploying a revision that runs as a function's service account needs permission to act as that account.
resource "google_service_account_iam_member" "deployer_acts_as_functions" {
  for_each           = local.functions
  service_account_id = "projects/${var.project_id}/serviceAccounts/${module.function[each.key].service_account_email}"
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_storage_bucket_iam_member" "deployer_web" {
  bucket = module.web.bucket
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.deployer.email}"
}
