"""Web Push to the installed web app (issue 11): one's devices, the VAPID key, `notify` for
other domains, and the `push.send` job. docs/push.md describes it."""
