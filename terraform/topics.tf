# Every Pub/Sub topic the code publishes to, and each consumer's push subscription. ./coditect test checks this
# against the code: each topic of ai.coditect.shared.events.Topic is here, each consumer the code subscribes is
# here under the subscription name PubSubTopology gives it, and every topic has a dead-letter topic.
locals {
  max_delivery_attempts = 5 # PubSubTopology.MAX_DELIVERY_ATTEMPTS

  topics = {
    "workspace-requests" = {
      consumers = {
        provision = { function = "provision", ack_deadline_seconds = 600, ordered = true }
      }
    }
    "cleanup-ticks" = {
      consumers = {
        cleanup = { function = "cleanup", ack_deadline_seconds = 600, ordered = false }
      }
    }
    "knowledge-index" = {
      consumers = {
        "knowledge-index" = { function = "index", ack_deadline_seconds = 600, ordered = false }
      }
    }
    # agent.registered, task.completed, …: for anyone who wants to react; no consumer of the platform's own yet
    "agent-events" = {
      consumers = {}
    }
  }
}
