"""The composition layers of a stack, in the order `Platform` calls them.

Each module is one layer: a function taking the validated config and the previous layers' outputs (frozen
dataclasses) and returning its own. Every resource stays a child of `Platform` (the layers are functions, not
components), so moving construction between layers never changes a URN.

- `network`: the VPC, subnets, routes and endpoints.
- `data`: the stack key (first: the flow logs are encrypted with it), buckets, access logs, replication, tables,
  queues, the event bus, secrets, the database, caches, collections, backup, and the registry.
- `edge`: the load balancer, the web services' addresses, origin-verify secrets, CDN sites, REST APIs.
- `compute`: the cluster, repositories, services, collection access, functions, event tasks, secret rotation.
- `observability`: the alarm topic, alarms, dashboards and canaries.
"""
