output "topic_ids" {
  value = { for k, t in google_pubsub_topic.topic : k => t.id }
}

output "subscriptions" {
  value = [for s in google_pubsub_subscription.consumer : s.name]
}

output "topic_names" {
  value = { for k, t in google_pubsub_topic.topic : k => t.name }
}
