"""Work that runs on a schedule inside the app node.

Durable by construction: each job's state lives in the database rows it works on (a burned
message's deadline is its `expires_at`), so a restarted node simply picks up where it was.
"""
