# Every function of the platform, deployed as a Cloud Run service that runs the Functions Framework image with
# FUNCTION_TARGET = entry_point (docs/deploy.md says why Cloud Run and not the Cloud Functions resource).
#
# This map is what ./coditect test checks against the code (deploy/src/test): every class implementing
# HttpFunction (trigger "http") or extending PubSubFunction (trigger "pubsub": reached by a push subscription,
# whose body it takes as HTTP) has an entry with its class as entry_point, and the environment below
# satisfies the configuration that function reads. Values under `env` are plain text; `secrets` maps an
# environment variable to the Secret Manager secret it is read from (mounted only where listed); `files` mounts
# a secret as a file at a path. `kubernetes` says what the function may do in the workspace cluster: "none",
# "read" (a workspace's pod) or "provision" (modules/gke/rbac.tf).
locals {
  issuer        = "https://${var.domain}"
  fdb_mount     = "/etc/foundationdb"
  kube_mount    = "/etc/coditect/kube"
  fdb_store_url = "fdb:/etc/foundationdb/fdb.cluster"

  functions = {
    auth = {
      entry_point   = "ai.coditect.functions.auth.AuthFunction"
      trigger       = "http"
      paths         = ["/v1/auth/*", "/v1/account"]
      image         = "functions"
      memory        = "1Gi" # Argon2id takes 19 MiB per hash in flight
      cpu           = "1"
      concurrency   = 8 # a login is ~35 ms of one core; more in flight only queues them
      min_instances = 1
      max_instances = 20
      timeout       = "30s"
      kubernetes    = "none"
      publishes     = ["workspace-requests"]
      env = {
        CODITECT_ENV           = var.environment
        CODITECT_STORE         = local.fdb_store_url
        CODITECT_ISSUER        = local.issuer
        CODITECT_AUDIENCE      = "coditect"
        CODITECT_GCP_PROJECT   = var.project_id
        CODITECT_FORWARDED_HOP = "2" # behind the external load balancer
        CODITECT_LOG_LEVEL     = "INFO"
      }
      secrets = { CODITECT_SIGNING_KEYS = "signing-keys" } # the only function that signs
      files   = { (local.fdb_mount) = "fdb-cluster-file" }
    }

    jwks = {
      entry_point   = "ai.coditect.functions.auth.JwksFunction"
      trigger       = "http"
      paths         = ["/.well-known/jwks.json"]
      image         = "functions"
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 80
      min_instances = 1
      max_instances = 5
      timeout       = "10s"
      kubernetes    = "none"
      publishes     = []
      env = {
        CODITECT_LOG_LEVEL = "INFO"
      }
      # publishes the public half of the signing keys, and is given nothing else: no store, no private key
      secrets = { CODITECT_PUBLIC_KEYS = "signing-keys-public" }
      files   = {}
    }

    workspaces = {
      entry_point   = "ai.coditect.functions.workspaces.WorkspacesFunction"
      trigger       = "http"
      paths         = ["/v1/workspaces/*"]
      image         = "functions"
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 40
      min_instances = 0
      max_instances = 10
      timeout       = "30s"
      kubernetes    = "read" # reads pod state for GET /v1/workspaces/me (modules/gke/rbac.tf: workspace_reader)
      publishes     = ["workspace-requests"]
      env = {
        CODITECT_ENV                    = var.environment
        CODITECT_STORE                  = local.fdb_store_url
        CODITECT_ISSUER                 = local.issuer
        CODITECT_PUBLIC_URL             = local.issuer
        CODITECT_GCP_PROJECT            = var.project_id
        CODITECT_WORKSPACE_BACKEND      = "kubernetes"
        CODITECT_WORKSPACE_URL_TEMPLATE = "https://{user}.ws.${var.domain}/"
        KUBECONFIG                      = "/etc/coditect/kube/config"
        CODITECT_LOG_LEVEL              = "INFO"
      }
      secrets = { CODITECT_PUBLIC_KEYS = "signing-keys-public" } # verifies tokens; never holds the private keys
      files   = { (local.fdb_mount) = "fdb-cluster-file", (local.kube_mount) = "workspace-cluster-kubeconfig" }
    }

    provision = {
      entry_point   = "ai.coditect.functions.workspaces.ProvisionFunction"
      trigger       = "pubsub"
      paths         = []
      image         = "functions"
      memory        = "1Gi"
      cpu           = "1"
      concurrency   = 10
      min_instances = 0
      max_instances = 10
      timeout       = "300s" # applies a workspace's objects and follows its new pod for a while
      kubernetes    = "provision"
      publishes     = []
      env = {
        CODITECT_ENV                     = var.environment
        CODITECT_STORE                   = local.fdb_store_url
        CODITECT_PUBLIC_URL              = local.issuer
        CODITECT_WORKSPACE_BACKEND       = "kubernetes"
        CODITECT_WORKSPACE_URL_TEMPLATE  = "https://{user}.ws.${var.domain}/"
        CODITECT_INGRESS_NAMESPACE       = "workspace-ingress"
        CODITECT_WORKSPACE_BLOCKED_CIDRS = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
        CODITECT_WORKSPACE_STORAGE       = "10Gi"
        CODITECT_WORKSPACE_STORAGE_CLASS = "standard-rwo"
        CODITECT_SIDECAR_IMAGE           = local.workspace_images.sidecar
        CODITECT_THEIA_IMAGE             = local.workspace_images.theia
        CODITECT_CODI2_IMAGE             = local.workspace_images.codi2
        KUBECONFIG                       = "/etc/coditect/kube/config"
        CODITECT_LOG_LEVEL               = "INFO"
      }
      secrets = {}
      files   = { (local.fdb_mount) = "fdb-cluster-file", (local.kube_mount) = "workspace-cluster-kubeconfig" }
    }

    cleanup = {
      entry_point   = "ai.coditect.functions.cleanup.CleanupFunction"
      trigger       = "pubsub"
      paths         = []
      image         = "functions"
      memory        = "1Gi"
      cpu           = "1"
      concurrency   = 1 # one tick at a time; runs are idempotent anyway
      min_instances = 0
      max_instances = 1
      timeout       = "540s"
      kubernetes    = "none"
      # stop requests for idle workspaces, and each tick relays whatever the outbox still holds, of any topic
      publishes = keys(local.topics)
      env = {
        CODITECT_ENV                    = var.environment
        CODITECT_STORE                  = local.fdb_store_url
        CODITECT_GCP_PROJECT            = var.project_id
        CODITECT_WORKSPACE_IDLE_TIMEOUT = "30m"
        CODITECT_LOG_LEVEL              = "INFO"
      }
      secrets = {}
      files   = { (local.fdb_mount) = "fdb-cluster-file" }
    }

    knowledge = {
      entry_point   = "ai.coditect.knowledge.KnowledgeFunction"
      trigger       = "http"
      paths         = ["/v1/knowledge/*"]
      image         = "knowledge"
      memory        = "2Gi" # the per-tenant int8 matrices and the query embedder
      cpu           = "2"
      concurrency   = 40
      min_instances = 0
      max_instances = 10
      timeout       = "60s"
      kubernetes    = "none"
      publishes     = ["knowledge-index"]
      env = {
        CODITECT_ENV                       = var.environment
        CODITECT_STORE                     = local.fdb_store_url
        CODITECT_ISSUER                    = local.issuer
        CODITECT_GCP_PROJECT               = var.project_id
        CODITECT_KNOWLEDGE_EMBEDDER        = "vertex"
        CODITECT_KNOWLEDGE_VERTEX_LOCATION = var.region
        CODITECT_KNOWLEDGE_BACKUP          = "gs://${var.project_id}-knowledge"
        CODITECT_LOG_LEVEL                 = "INFO"
      }
      secrets = { CODITECT_PUBLIC_KEYS = "signing-keys-public" } # verifies tokens; never holds the private keys
      files   = { (local.fdb_mount) = "fdb-cluster-file" }
    }

    index = {
      entry_point   = "ai.coditect.knowledge.KnowledgeIndexFunction"
      trigger       = "pubsub"
      paths         = []
      image         = "knowledge"
      memory        = "2Gi"
      cpu           = "2"
      concurrency   = 4
      min_instances = 0
      max_instances = 10
      timeout       = "540s"
      kubernetes    = "none"
      publishes     = []
      env = {
        CODITECT_ENV                       = var.environment
        CODITECT_STORE                     = local.fdb_store_url
        CODITECT_GCP_PROJECT               = var.project_id
        CODITECT_KNOWLEDGE_EMBEDDER        = "vertex"
        CODITECT_KNOWLEDGE_VERTEX_LOCATION = var.region
        CODITECT_KNOWLEDGE_BACKUP          = "gs://${var.project_id}-knowledge"
        CODITECT_LOG_LEVEL                 = "INFO"
      }
      secrets = {}
      files   = { (local.fdb_mount) = "fdb-cluster-file" }
    }

    agents = {
      entry_point   = "ai.coditect.functions.agents.AgentsFunction"
      trigger       = "http"
      paths         = ["/v1/agents", "/v1/agents/*", "/v1/tasks", "/v1/tasks/*", "/v1/tasks:claim"]
      image         = "functions"
      memory        = "512Mi"
      cpu           = "1"
      concurrency   = 200 # a waiting long poll holds its request thread (blocked on a FoundationDB watch, not polling); the invoker's pool has 1,024
      min_instances = 0
      max_instances = 10
      timeout       = "60s" # a claim long-polls up to 25 s
      kubernetes    = "none"
      publishes     = ["agent-events"]
      env = {
        CODITECT_ENV         = var.environment
        CODITECT_STORE       = local.fdb_store_url
        CODITECT_ISSUER      = local.issuer
        CODITECT_GCP_PROJECT = var.project_id
        CODITECT_LOG_LEVEL   = "INFO"
      }
      secrets = { CODITECT_PUBLIC_KEYS = "signing-keys-public" } # verifies tokens; never holds the private keys
      files   = { (local.fdb_mount) = "fdb-cluster-file" }
    }
  }

  # Workspaces start with the newest images unless a pin holds them back (the rollback of a workspace release).
  workspace_images = {
    sidecar = lookup(var.workspace_image_pin, "sidecar", var.sidecar_image)
    theia   = lookup(var.workspace_image_pin, "theia", var.theia_image)
    codi2   = lookup(var.workspace_image_pin, "codi2", var.codi2_image)
  }

  function_images = {
    functions = var.functions_image
    knowledge = var.knowledge_image
  }
}
