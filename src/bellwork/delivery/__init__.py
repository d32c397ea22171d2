"""Sending to people outside the web client: email, text messages (and, later, voice calls).

Every send is a `Delivery` row — who, which channel, what, and what became of it (queued,
sent, in the outbox, failed with the provider's reason) — written in the caller's transaction
with a `delivery.send` job (DESIGN.md, "Jobs are rows"): a change that rolls back sends
nothing, a send that fails is retried with backoff by the jobs runner, and a dead one shows
its last error. Domains call `queue_delivery` (service.py); providers are in providers.py.
Where no provider is configured for a channel, the delivery goes to the **outbox**: nothing
leaves the server, and admins read what would have been sent (`GET /api/v1/deliveries`, the
workbench's 发送记录 page) — an installation without an SMS contract still works, visibly.
Text messages go through Alibaba Cloud SMS (aliyun.py, templates by purpose) when configured,
within each organisation's monthly SMS quota (quotas.py).
"""
