"""Live lessons (群直播 / 在线课堂): docs/lessons.md."""
