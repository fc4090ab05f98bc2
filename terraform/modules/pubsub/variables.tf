variable "project_id" {
  type = string
}

variable "topics" {
  description = "Topic id -> { consumers = { name -> { function, ack_deadline_seconds, ordered } } } (see topics.tf)."
  type = map(object({
    consumers = map(object({
      function             = string
      ack_deadline_seconds = number
      ordered              = bool
    }))
  }))
}

variable "push_endpoints" {
  description = "Function name -> the Cloud Run URL its subscriptions push to."
  type        = map(string)
}

variable "push_services" {
  description = "Function name -> its Cloud Run service name (the push identity may invoke only that)."
  type        = map(string)
}

variable "region" {
  type = string
}

variable "max_delivery_attempts" {
  type = number
}

variable "labels" {
  type    = map(string)
  default = {}
}
