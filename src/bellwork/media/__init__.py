"""Media: the Janus servers (SFU) of lessons, meetings and calls, the Janus Bellwork runs,
room placement and TURN credentials (docs/media.md)."""
